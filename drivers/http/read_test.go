package http

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// nested is a response with objects, arrays and awkward keys.
const nested = `{
  "device": {"name": "pump-1", "online": true, "firmware": {"major": 4}},
  "sensors": [{"id": "t1", "value": 21.5}, {"id": "t2", "value": "19.25"}],
  "matrix": [[1, 2], [3, 4]],
  "key.with.dots": 7, "it's": "quoted", "big": 9007199254740993,
  "whole": 12.0, "flag": "on", "nothing": null, "obj": {"b": 2, "a": [1]}
}`

// TestPathsAndTypes: every path form and conversion, from one request.
func TestPathsAndTypes(t *testing.T) {
	rec := newRecorder(t, jsonReply(nested))
	cases := []struct {
		typ  driver.Type
		path string
		want any
	}{
		{driver.String, "$.device.name", "pump-1"},
		{driver.Bool, "$.device.online", true},
		{driver.Int, "$.device.firmware.major", int64(4)},
		{driver.Float, "$.sensors[0].value", 21.5},
		{driver.Float, "$.sensors[1].value", 19.25},
		{driver.String, "$.sensors[-1].id", "t2"},
		{driver.Int, "$.matrix[1][0]", int64(3)},
		{driver.Int, "$['key.with.dots']", int64(7)},
		{driver.String, `$["it's"]`, "quoted"},
		{driver.Int, "$.big", int64(9007199254740993)},
		{driver.Int, "$.whole", int64(12)},
		{driver.Bool, "$.flag", true},
		{driver.String, "$.obj", `{"a":[1],"b":2}`},
		{driver.Float, "$.device.firmware.major", 4.0},
		{driver.String, "$.sensors[0].value", "21.5"},
	}
	var points []driver.Point
	for i, c := range cases {
		points = append(points, pt(string(rune('a'+i))+"000", c.typ, driver.Read, `{"path": `+quote(c.path)+`}`))
	}
	dev := device(`{"url": "`+rec.srv.URL+`/status"}`, points...)
	d := start(t, dev)
	got, err := readAll(t, d, dev)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		s := got[points[i].ID]
		if s.Quality != driver.Good || s.Value != c.want {
			t.Errorf("%s as %s: %v %v (code %d), want %v (%T)", c.path, c.typ, s.Quality, s.Value, s.Code, c.want, c.want)
		}
	}
	if n := len(rec.requests()); n != 1 {
		t.Errorf("%d requests for %d points on one URL, want 1", n, len(points))
	}
}

// TestBadPointStaysLocal: a point the response cannot fill is Bad with its
// own code; the others of the same response are good.
func TestBadPointStaysLocal(t *testing.T) {
	rec := newRecorder(t, jsonReply(nested))
	dev := device(`{"url": "`+rec.srv.URL+`"}`,
		pt("0001", driver.Float, driver.Read, `{"path": "$.sensors[0].value"}`),
		pt("0002", driver.Float, driver.Read, `{"path": "$.sensors[5].value"}`),
		pt("0003", driver.Float, driver.Read, `{"path": "$.device.missing"}`),
		pt("0004", driver.Int, driver.Read, `{"path": "$.nothing"}`),
		pt("0005", driver.Int, driver.Read, `{"path": "$.device.name"}`),
		pt("0006", driver.Float, driver.Read, `{"path": "$.obj"}`),
		pt("0007", driver.Float, driver.Read, `{"path": "$.device.name.deeper"}`),
	)
	got, err := readAll(t, start(t, dev), dev)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"0002": CodePathNotFound, "0003": CodePathNotFound, "0004": driver.CodeTypeNotValid,
		"0005": driver.CodeTypeNotValid, "0006": driver.CodeTypeNotValid, "0007": CodePathNotFound}
	if s := got["0001"]; s.Quality != driver.Good || s.Value != 21.5 {
		t.Errorf("good point: %+v", s)
	}
	for id, code := range want {
		if s := got[id]; s.Quality != driver.Bad || s.Code != code {
			t.Errorf("point %s: %s code %d, want bad %d", id, s.Quality, s.Code, code)
		}
	}
}

// TestTextBody: a plain-text answer is the value of the whole-body path.
func TestTextBody(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ON\n")) })
	dev := device(`{"url": "`+rec.srv.URL+`"}`,
		pt("0001", driver.Bool, driver.Read, `{}`),
		pt("0002", driver.String, driver.Read, `{"path": "$"}`),
		pt("0003", driver.Float, driver.Read, `{"path": "$.value"}`))
	got, err := readAll(t, start(t, dev), dev)
	if err != nil {
		t.Fatal(err)
	}
	if got["0001"].Value != true || got["0002"].Value != "ON" {
		t.Errorf("text body: %+v %+v", got["0001"], got["0002"])
	}
	if s := got["0003"]; s.Quality != driver.Bad || s.Code != driver.CodeTypeNotValid {
		t.Errorf("path into text: %+v", s)
	}
}

// TestBatchingByURL: one request per distinct URL, a point's own URL
// absolute or relative to the device's.
func TestBatchingByURL(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"path": ` + quote(r.URL.RequestURI()) + `}`))
	})
	other := newRecorder(t, jsonReply(`{"path": "other"}`))
	dev := device(`{"url": "`+rec.srv.URL+`/api/v1/status"}`,
		pt("0001", driver.String, driver.Read, `{"path": "$.path"}`),
		pt("0002", driver.String, driver.Read, `{"path": "$.path", "url": "meters?unit=kwh"}`),
		pt("0003", driver.String, driver.Read, `{"path": "$.path", "url": "/v2/info"}`),
		pt("0004", driver.String, driver.Read, `{"path": "$.path", "url": "`+other.srv.URL+`/x"}`),
		pt("0005", driver.String, driver.Read, `{"path": "$.path", "url": "meters?unit=kwh"}`),
		pt("0006", driver.String, driver.Read, `{"path": "$.path"}`),
	)
	got, err := readAll(t, start(t, dev), dev)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"0001": "/api/v1/status", "0002": "/api/v1/meters?unit=kwh", "0003": "/v2/info",
		"0004": "other", "0005": "/api/v1/meters?unit=kwh", "0006": "/api/v1/status"}
	for id, w := range want {
		if got[id].Value != w {
			t.Errorf("point %s read %v, want %s", id, got[id].Value, w)
		}
	}
	if n, m := len(rec.requests()), len(other.requests()); n != 3 || m != 1 {
		t.Errorf("requests: %d and %d, want 3 and 1 (one per distinct URL)", n, m)
	}
}

// TestStatusFailsRead: a non-2xx answer fails the read with 504 naming
// the status; with several URLs only the failing URL's points go Bad.
func TestStatusFailsRead(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/broken") {
			http.Error(w, "maintenance window", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"v": 1}`))
	})
	only := device(`{"url": "`+rec.srv.URL+`/broken"}`, pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`))
	_, err := readAll(t, start(t, only), only)
	wantCode(t, err, driver.CodeNetError, "503", "maintenance window", "7e000001")

	mixed := device(`{"url": "`+rec.srv.URL+`/ok"}`,
		pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`),
		pt("0002", driver.Int, driver.Read, `{"path": "$.v", "url": "/broken"}`))
	got, err := readAll(t, start(t, mixed), mixed)
	if err != nil {
		t.Fatal(err)
	}
	if got["0001"].Value != int64(1) || got["0002"].Quality != driver.Bad || got["0002"].Code != driver.CodeNetError {
		t.Errorf("mixed: %+v %+v", got["0001"], got["0002"])
	}
}

// TestUnreachable: a refused connection is a 504 read failure.
func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	dev := device(`{"url": "`+addr+`"}`, pt("0001", driver.Int, driver.Read, `{}`))
	_, err := readAll(t, start(t, dev), dev)
	wantCode(t, err, driver.CodeNetError, addr)
}

// TestReadWriteOnlyPoint: a write-only point reads Bad with 515 and costs
// no request.
func TestReadWriteOnlyPoint(t *testing.T) {
	rec := newRecorder(t, jsonReply(`{"v": 1}`))
	dev := device(`{"url": "`+rec.srv.URL+`"}`,
		pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`),
		pt("0002", driver.Int, driver.Write, `{"url": "/other", "write": {}}`))
	got, err := readAll(t, start(t, dev), dev)
	if err != nil {
		t.Fatal(err)
	}
	if got["0001"].Value != int64(1) || got["0002"].Quality != driver.Bad || got["0002"].Code != codePropertyNotValid {
		t.Errorf("samples %+v", got)
	}
	if reqs := rec.requests(); len(reqs) != 1 || reqs[0].path != "/" {
		t.Errorf("requests %+v, want one to /", reqs)
	}
}

// TestReadNow reads one point on demand.
func TestReadNow(t *testing.T) {
	rec := newRecorder(t, jsonReply(nested))
	dev := device(`{"url": "`+rec.srv.URL+`"}`, pt("0001", driver.String, driver.Read, `{"path": "$.sensors[1].id"}`))
	d := start(t, dev)
	ctx, cancel := testContext()
	defer cancel()
	s, err := d.ReadNow(ctx, dev.Points[0])
	if err != nil || s.Value != "t2" || s.Quality != driver.Good || s.TS.IsZero() {
		t.Fatalf("ReadNow: %+v, %v", s, err)
	}
}

func quote(s string) string {
	b, _ := jsonLiteral(s)
	return string(b)
}
