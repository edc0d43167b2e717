package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// testTimeout bounds every call of a test: generous, since test machines
// are shared and slow.
const testTimeout = 20 * time.Second

// pt makes a point with a JSON config.
func pt(id string, typ driver.Type, access driver.Access, cfg string) driver.Point {
	return driver.Point{ID: id, Name: "p" + id, Type: typ, Access: access, Config: json.RawMessage(cfg)}
}

// device makes a device with a JSON config.
func device(cfg string, points ...driver.Point) driver.Device {
	return driver.Device{Gateway: "0123456789abcdef0123456789abcdef", ID: "7e000001", Name: "api",
		Driver: "http", Config: json.RawMessage(cfg), Points: points}
}

// start configures a driver that is closed when the test ends.
func start(t *testing.T, dev driver.Device) *HTTP {
	t.Helper()
	d := New().(*HTTP)
	if err := d.Init(drivertest.NewHost(t), dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// readAll reads every point of dev and indexes the samples by point ID.
func readAll(t *testing.T, d *HTTP, dev driver.Device) (map[string]driver.Sample, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	samples, err := d.Read(ctx, dev.Points)
	if err != nil {
		return nil, err
	}
	if len(samples) != len(dev.Points) {
		t.Fatalf("%d samples for %d points", len(samples), len(dev.Points))
	}
	out := map[string]driver.Sample{}
	for i, s := range samples {
		if s.Point != dev.Points[i].ID {
			t.Fatalf("sample %d is for %s, want %s", i, s.Point, dev.Points[i].ID)
		}
		out[s.Point] = s
	}
	return out, nil
}

// wantCode fails unless err carries code and mentions every part.
func wantCode(t *testing.T, err error, code int, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want code %d", code)
	}
	if got := drivertest.ErrorCode(err); got != code {
		t.Fatalf("code %d (%v), want %d", got, err, code)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// recorded is one request a test server saw.
type recorded struct {
	method string
	path   string
	header http.Header
	host   string
	body   string
}

// recorder is a test server that records requests and answers with reply.
type recorder struct {
	mu    sync.Mutex
	seen  []recorded
	reply http.HandlerFunc
	srv   *httptest.Server
}

// newRecorder starts a loopback server answering with reply.
func newRecorder(t testing.TB, reply http.HandlerFunc) *recorder {
	rec := &recorder{reply: reply}
	rec.srv = httptest.NewServer(http.HandlerFunc(rec.serve))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.mu.Lock()
	rec.seen = append(rec.seen, recorded{method: r.Method, path: r.URL.RequestURI(), header: r.Header.Clone(), host: r.Host, body: string(body)})
	rec.mu.Unlock()
	rec.reply(w, r)
}

// requests returns what the server saw so far.
func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.seen...)
}

// jsonReply answers every request with body as JSON.
func jsonReply(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

// testContext bounds a call by testTimeout.
func testContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), testTimeout)
}
