package bus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// codecBatches are batches whose encodings cover every branch of the fast
// encoder and of its fallbacks.
func codecBatches() []Batch {
	return []Batch{
		{},
		{Epoch: "e1", Seq: 7, Samples: []WireSample{}},
		{Epoch: "ep", Seq: math.MaxUint64, Samples: []WireSample{
			{P: "0000000a.0001", V: 21.5, T: 1700000000123},
			{P: "0000000a.0002", V: float64(1e21), T: -1},
			{P: "0000000a.0003", V: 1e-7, T: 0},
			{P: "0000000a.0004", V: float32(3.14), T: 1},
			{P: "0000000a.0005", V: float32(1e-9)},
			{P: "0000000a.0006", V: true, Q: driver.Bad, C: 10011},
			{P: "0000000a.0007", V: "a<b>&\"c\"\\\n\u2028é\xff"},
			{P: "0000000a.0008", V: int64(math.MinInt64)},
			{P: "0000000a.0009", V: uint64(math.MaxUint64)},
			{P: "0000000a.000a", V: int8(-3)},
			{P: "0000000a.000b", V: uint16(9)},
			{P: "0000000a.000c", V: json.RawMessage(` {"a": [1, 2]} `)},
			{P: "0000000a.000d", V: map[string]any{"k": []any{1.0, "x"}}},
			{P: "0000000a.000e", V: driver.Quality("named")},
			{P: "0000000a.000f", V: -0.0, C: -1},
			{P: "ü.<p>", Q: "uncertain"},
		}},
	}
}

// TestBatchMarshalMatchesEncodingJSON checks the fast encoder against
// encoding/json on the same fields.
func TestBatchMarshalMatchesEncodingJSON(t *testing.T) {
	for i, b := range codecBatches() {
		got, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
		want, err := json.Marshal(batchJSON(b))
		if err != nil {
			t.Fatalf("batch %d: reference: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("batch %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// TestBatchMarshalRefusesWhatEncodingJSONRefuses: NaN does not encode
// either way.
func TestBatchMarshalRefusesWhatEncodingJSONRefuses(t *testing.T) {
	b := Batch{Samples: []WireSample{{P: "a.b", V: math.NaN()}}}
	if _, err := json.Marshal(b); err == nil {
		t.Fatal("NaN encoded")
	}
	if _, err := json.Marshal(WireSample{P: "a.b", V: math.Inf(1)}); err == nil {
		t.Fatal("+Inf encoded")
	}
}

// TestBatchRoundTrip decodes the fast encoding with the fast decoder and
// with encoding/json and expects the same batch; a batch of the types
// JSON keeps (float64, bool, valid strings) comes back unchanged.
func TestBatchRoundTrip(t *testing.T) {
	for _, b := range codecBatches() {
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		compareDecoders(t, data)
	}
	lossless := Batch{Epoch: "ep", Seq: 42, Samples: []WireSample{
		{P: "0000000a.0001", V: 21.5, T: 1700000000123},
		{P: "0000000a.0002", V: "<é>", T: 1, Q: driver.Bad, C: 10011},
		{P: "0000000a.0003", V: false, T: -5},
		{P: "0000000a.0004", T: 2},
	}}
	data, err := json.Marshal(lossless)
	if err != nil {
		t.Fatal(err)
	}
	var got Batch
	if err := got.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, lossless) {
		t.Fatalf("round trip\n got %#v\nwant %#v", got, lossless)
	}
}

// TestBatchUnmarshalEdgeCases covers inputs the fast decoder must leave to
// encoding/json or reject the same way.
func TestBatchUnmarshalEdgeCases(t *testing.T) {
	inputs := []string{
		` { "e" : "x" , "n" : 3 , "s" : [ { "p" : "a.b" , "v" : -1.5e+3 , "t" : -0 } ] } `,
		`{"s":[{"p":"a.b","v":null,"t":1},{"p":"a.c","v":"s","q":"bad","c":2}],"n":0,"e":""}`,
		`{"E":"x","N":1,"S":[{"P":"a","T":2}]}`,   // case-insensitive keys
		`{"e":"x","e":"y","s":[],"s":null}`,       // duplicate keys: last wins
		`{"e":"a\u0062","s":[{"p":"\n"}]}`,        // escapes
		`{"e":"\xff","x":1}`,                      // invalid UTF-8, unknown key
		`{"s":[{"p":"a","v":[1,{"b":2}],"t":1}]}`, // non-scalar value
		`{"s":[{"p":"a","v":1e400}]}`,             // out of range
		`{"n":-1}`, `{"n":1.0}`, `{"n":1e2}`, `{"s":[{"t":9223372036854775808}]}`,
		`{"s":[{"c":1.5}]}`, `{"e":null,"n":null,"s":[null,{"p":null}]}`,
		`{"n":01}`, `{"e":"x",}`, `{"e":"x"} x`, `[]`, `null`, ``, `{`, `{"v":tru}`,
		"{\"e\":\"a\tb\"}", `{"s":[{"v":-}]}`, `{"s":[{"v":.5}]}`, `{"s":[{"v":1.}]}`,
	}
	for _, in := range inputs {
		compareDecoders(t, []byte(in))
	}
}

// TestBatchUnmarshalMergesLikeEncodingJSON: decoding into a non-zero batch
// keeps what the input does not set, as encoding/json does.
func TestBatchUnmarshalMergesLikeEncodingJSON(t *testing.T) {
	in := []byte(`{"n":2,"s":[{"p":"x"}]}`)
	got := Batch{Epoch: "old", Samples: []WireSample{{P: "a", T: 5, V: 1.0}}}
	want := batchJSON(got)
	want.Samples = []WireSample{{P: "a", T: 5, V: 1.0}}
	if err := got.UnmarshalJSON(in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(in, (*wireMergeRef)(&want)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Batch(want)) || got.Samples[0].T != 5 {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// wireMergeRef decodes like batchJSON; it exists to make the reference
// decoding in the merge test explicit.
type wireMergeRef = batchJSON

// compareDecoders decodes data with Batch.UnmarshalJSON (directly and
// through encoding/json) and with encoding/json on the plain fields, and
// fails unless all accept it with equal results or all refuse it.
func compareDecoders(t *testing.T, data []byte) {
	t.Helper()
	var fast, via Batch
	var ref batchJSON
	errFast := fast.UnmarshalJSON(data)
	errVia := json.Unmarshal(data, &via)
	errRef := json.Unmarshal(data, &ref)
	if (errFast == nil) != (errRef == nil) || (errVia == nil) != (errRef == nil) {
		t.Fatalf("%q: fast err %v, via json err %v, reference err %v", data, errFast, errVia, errRef)
	}
	if errRef != nil {
		return
	}
	if !reflect.DeepEqual(fast, Batch(ref)) || !reflect.DeepEqual(via, Batch(ref)) {
		t.Fatalf("%q:\nfast %#v\n via %#v\n ref %#v", data, fast, via, ref)
	}
}

// FuzzBatchUnmarshal checks that the fast decoder accepts exactly what
// encoding/json accepts, with the same result.
func FuzzBatchUnmarshal(f *testing.F) {
	for _, b := range codecBatches() {
		data, err := json.Marshal(b)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"E":"x","s":[{"p":"a","v":[1]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		compareDecoders(t, data)
	})
}

// FuzzBatchMarshal checks the fast encoder against encoding/json on
// samples built from fuzzed strings and numbers.
func FuzzBatchMarshal(f *testing.F) {
	f.Add("e", uint64(1), "dev.pt", 1.5, int64(3), "bad", 7, "s", true)
	f.Add("<&>", uint64(0), "\xff\u2028", 1e-300, int64(-9), "", 0, "\x00", false)
	f.Fuzz(func(t *testing.T, epoch string, seq uint64, p string, fv float64, iv int64, q string, c int, sv string, bv bool) {
		b := Batch{Epoch: epoch, Seq: seq, Samples: []WireSample{
			{P: p, V: fv, T: iv, Q: driver.Quality(q), C: c},
			{P: sv, V: float32(fv), T: -iv},
			{P: p, V: sv, C: -c},
			{P: q, V: bv},
			{P: p, V: iv},
			{P: p},
		}}
		got, errGot := json.Marshal(b)
		want, errWant := json.Marshal(batchJSON(b))
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("fast err %v, reference err %v", errGot, errWant)
		}
		if errWant == nil && !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
		if errWant == nil && !strings.HasPrefix(string(got), "{") {
			t.Fatalf("not an object: %s", got)
		}
		if errWant == nil {
			compareDecoders(t, got)
		}
	})
}

// BenchmarkBatchCodec compares the batch codec with encoding/json on the
// plain fields, for a batch of 1,000 samples as engines send them.
func BenchmarkBatchCodec(b *testing.B) {
	batch := Batch{Epoch: "0123456789abcdef", Seq: 12345, Samples: make([]WireSample, 1000)}
	for i := range batch.Samples {
		batch.Samples[i] = WireSample{P: fmt.Sprintf("%08x.%04x", i/100, i%100), V: float64(i) * 1.25, T: 1700000000000 + int64(i)}
	}
	data, err := json.Marshal(batch)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode/fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := batch.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode/json.Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(batch); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode/encoding-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(batchJSON(batch)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/fast", func(b *testing.B) {
		for b.Loop() {
			var out Batch
			if err := out.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/encoding-json", func(b *testing.B) {
		for b.Loop() {
			var out batchJSON
			if err := json.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
