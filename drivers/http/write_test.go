package http

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// TestWriteTemplate: the server receives the body the template makes, with
// every value JSON-escaped, and the configured method, URL and headers.
func TestWriteTemplate(t *testing.T) {
	cases := []struct {
		name  string
		typ   driver.Type
		write string
		value any
		want  string
	}{
		{"default body", driver.Float, `{}`, 21.5, `21.5`},
		{"number", driver.Int, `{"body": "{\"set\": {{value}}}"}`, int64(-7), `{"set": -7}`},
		{"bool", driver.Bool, `{"body": "{\"on\": {{value}}}"}`, true, `{"on": true}`},
		{"string escaped", driver.String, `{"body": "{\"text\": {{value}}}"}`, "say \"hi\"\n<b>", `{"text": "say \"hi\"\n<b>"}`},
		{"quoted placeholder", driver.Float, `{"body": "{\"v\": \"{{value}}\"}"}`, 21.5, `{"v": "21.5"}`},
		{"quoted string", driver.String, `{"body": "{\"v\": \"{{value}}\"}"}`, `a"b`, `{"v": "a\"b"}`},
		{"point name", driver.Int, `{"body": "{\"{{point}}\": {{value}}, \"name\": {{point}}}"}`, int64(3), `{"p0001": 3, "name": "p0001"}`},
		{"empty body", driver.Int, `{"method": "DELETE", "body": ""}`, int64(1), ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
			dev := device(`{"url": "`+rec.srv.URL+`/state", "headers": {"X-Device": "d1"}}`,
				pt("0001", c.typ, driver.ReadWrite, `{"path": "$.v", "write": `+c.write+`}`))
			d := start(t, dev)
			ctx, cancel := testContext()
			defer cancel()
			res, err := d.Write(ctx, dev.Points[0], c.value)
			if err != nil || res.Code != 0 {
				t.Fatalf("Write: %+v, %v", res, err)
			}
			r := rec.requests()[0]
			if r.body != c.want {
				t.Errorf("body %s, want %s", r.body, c.want)
			}
			if c.want != "" && !json.Valid([]byte(r.body)) {
				t.Errorf("body %s is not JSON", r.body)
			}
			if r.header.Get("X-Device") != "d1" || r.path != "/state" {
				t.Errorf("request %+v", r)
			}
		})
	}
}

// TestWriteRequest: the write's own method, relative URL and headers
// (overriding the device's) are used.
func TestWriteRequest(t *testing.T) {
	rec := newRecorder(t, jsonReply(`{"accepted": true, "id": 17}`))
	dev := device(`{"url": "`+rec.srv.URL+`/api/state", "headers": {"X-Mode": "read", "X-Device": "d1"}, "auth": {"type": "bearer", "token": "t0"}}`,
		pt("0001", driver.Float, driver.Write, `{"write": {"method": "put", "url": "setpoint?zone=2",
			"headers": {"x-mode": "write", "Content-Type": "application/merge-patch+json"}}}`))
	d := start(t, dev)
	ctx, cancel := testContext()
	defer cancel()
	res, err := d.Write(ctx, dev.Points[0], 19.5)
	if err != nil {
		t.Fatal(err)
	}
	r := rec.requests()[0]
	if r.method != "PUT" || r.path != "/api/setpoint?zone=2" || r.body != "19.5" {
		t.Errorf("request %+v", r)
	}
	for name, want := range map[string]string{"X-Mode": "write", "X-Device": "d1",
		"Content-Type": "application/merge-patch+json", "Authorization": "Bearer t0"} {
		if got := r.header.Get(name); got != want {
			t.Errorf("header %s: %q, want %q", name, got, want)
		}
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"code": 0.0, "msg": "ok", "data": map[string]any{"status": 200.0,
		"body": map[string]any{"accepted": true, "id": 17.0}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("result %s", data)
	}
}

// TestWriteStatus: a status outside the success codes fails the write
// with 504 naming the status; success_codes replaces the 2xx default.
func TestWriteStatus(t *testing.T) {
	var status atomic.Int64
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte("setpoint locked"))
	})
	cases := []struct {
		write  string
		status int
		ok     bool
	}{
		{`{}`, http.StatusOK, true},
		{`{}`, http.StatusInternalServerError, false},
		{`{}`, http.StatusFound, false},
		{`{"success_codes": [202]}`, http.StatusOK, false},
		{`{"success_codes": [202, 409]}`, http.StatusConflict, true},
	}
	for _, c := range cases {
		status.Store(int64(c.status))
		dev := device(`{"url": "`+rec.srv.URL+`"}`, pt("0001", driver.Int, driver.Write, `{"write": `+c.write+`}`))
		ctx, cancel := testContext()
		res, err := start(t, dev).Write(ctx, dev.Points[0], int64(5))
		cancel()
		if c.ok {
			data, _ := res.Data.(writeReply)
			if err != nil || data.Status != c.status || data.Body != "setpoint locked" {
				t.Errorf("%s with %d: %+v, %v", c.write, c.status, res, err)
			}
			continue
		}
		wantCode(t, err, driver.CodeNetError, http.StatusText(c.status), "setpoint locked")
	}
}

// TestWriteReadOnlyPoint: a point without write is refused with 515.
func TestWriteReadOnlyPoint(t *testing.T) {
	rec := newRecorder(t, jsonReply(`{}`))
	dev := device(`{"url": "`+rec.srv.URL+`"}`, pt("0001", driver.Int, driver.Read, `{}`))
	ctx, cancel := testContext()
	defer cancel()
	_, err := start(t, dev).Write(ctx, dev.Points[0], int64(1))
	wantCode(t, err, codePropertyNotValid, "0001")
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d requests sent for a refused write", n)
	}
}
