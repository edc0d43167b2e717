package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// frameCases is shared by the encoder and decoder tests.
var frameCases = []struct {
	name  string
	frame Frame
	line  string
}{
	{"request", Frame{ID: 1, Method: MethodRead, Params: json.RawMessage(`{"points":["0001"]}`)}, `{"id":1,"method":"read","params":{"points":["0001"]}}`},
	{"notification", Frame{Method: MethodOnline, Params: json.RawMessage(`{"online":true}`)}, `{"method":"online","params":{"online":true}}`},
	{"result", Frame{ID: 9, Result: json.RawMessage(`[]`)}, `{"id":9,"result":[]}`},
	{"error", Frame{ID: 2, Error: &Error{Code: 519, Msg: "late"}}, `{"id":2,"error":{"code":519,"msg":"late"}}`},
}

func TestFrameRoundTrip(t *testing.T) {
	for _, c := range frameCases {
		t.Run(c.name, func(t *testing.T) {
			b, err := EncodeFrame(c.frame)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(string(b), "\n"); got != c.line {
				t.Fatalf("encode = %s, want %s", got, c.line)
			}
			f, err := DecodeFrame([]byte(c.line))
			if err != nil {
				t.Fatal(err)
			}
			b2, _ := EncodeFrame(f)
			if !bytes.Equal(b, b2) {
				t.Fatalf("decode(encode) = %s, want %s", b2, b)
			}
		})
	}
}

func TestDecodeFrameRejects(t *testing.T) {
	for _, line := range []string{
		"hello world", "", "[1]", `{"id":1}x`, `{"method":"a","result":1}`, `{}`,
		`{"id":1,"result":1,"error":{"code":1,"msg":""}}`, `{"id":-1,"method":"x"}`, `{"method":"x","extra":1}`,
	} {
		_, err := DecodeFrame([]byte(line))
		var we *Error
		if !errors.As(err, &we) || we.Code != codeBadFrame {
			t.Errorf("DecodeFrame(%q) = %v, want a 517 error", line, err)
		}
	}
}

func TestJunkErrorNamesTheLine(t *testing.T) {
	r := NewReader(strings.NewReader("{\"method\":\"log\"}\nDEBUG connecting to 10.0.0.1\n"))
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Next()
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "DEBUG connecting") {
		t.Fatalf("err = %v, want one naming line 2 and its text", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the junk: %v, want EOF", err)
	}
}

func TestReaderLineLimit(t *testing.T) {
	long := `{"method":"log","params":{"msg":"` + strings.Repeat("x", 200) + `"}}`
	in := long + "\n" + `{"method":"online"}` + "\r\n\n"
	r := NewReaderSize(strings.NewReader(in), 100)
	_, err := r.Next()
	var we *Error
	if !errors.As(err, &we) || we.Code != codeBadFrame || !strings.Contains(we.Msg, "limit") {
		t.Fatalf("oversized line: %v, want 517 naming the limit", err)
	}
	f, err := r.Next()
	if err != nil || f.Method != MethodOnline {
		t.Fatalf("after an oversized line: %+v, %v; want the next frame", f, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, c := range frameCases {
		f.Add([]byte(c.line))
	}
	f.Add([]byte(`{"id":1,"method":"write","params":{"point":"0001","value":1e400}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		fr, err := DecodeFrame(line)
		if err != nil {
			var we *Error
			if !errors.As(err, &we) || we.Code != codeBadFrame {
				t.Fatalf("error %v is not a 517 *Error", err)
			}
			return
		}
		b, err := EncodeFrame(fr)
		if err != nil {
			t.Fatalf("a decoded frame does not encode: %v", err)
		}
		again, err := DecodeFrame(bytes.TrimSuffix(b, []byte("\n")))
		if err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		if again.ID != fr.ID || again.Method != fr.Method || (again.Error == nil) != (fr.Error == nil) {
			t.Fatalf("round trip changed the frame: %+v vs %+v", fr, again)
		}
	})
}
