package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
)

// frame is any server frame, decoded loosely.
type frame struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
	Code  int    `json:"code"`
	Msg   string `json:"msg"`
	Data  []struct {
		ID      string `json:"id"`
		Value   any    `json:"value"`
		TS      int64  `json:"ts"`
		Quality string `json:"quality"`
	} `json:"data"`
}

const streamWait = 20 * time.Second

func wsURL(base, query string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/api/v1/stream" + query
}

func dialStream(t *testing.T, base, query string, h http.Header) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), streamWait)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, wsURL(base, query), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		body := ""
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			body = string(b)
		}
		t.Fatalf("dial %s: %v %s", query, err, body)
	}
	c.SetReadLimit(8 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// refused dials and returns the HTTP status and envelope code of a refusal.
func refused(t *testing.T, base, query string, h http.Header) (int, codes.Code) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), streamWait)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, wsURL(base, query), &websocket.DialOptions{HTTPHeader: h})
	if err == nil {
		c.CloseNow()
		t.Fatalf("dial %s: accepted, want refusal", query)
	}
	if resp == nil {
		t.Fatalf("dial %s: %v (no HTTP reply)", query, err)
	}
	var env struct {
		Code codes.Code `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("dial %s: refusal is not an envelope: %v", query, err)
	}
	return resp.StatusCode, env.Code
}

func readFrame(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), streamWait)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

func sendJSON(t *testing.T, c *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(t.Context(), streamWait)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func bearerHeader(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

var batchSeq atomic.Uint64

func (e *env) ingest(gw string, samples ...bus.WireSample) {
	e.t.Helper()
	if _, err := e.app.Batch(context.Background(), gw, bus.Batch{Epoch: "stream", Seq: batchSeq.Add(1), Samples: samples}); err != nil {
		e.t.Fatal(err)
	}
}

func TestStreamAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	q := "?ids=" + s.full(s.temp)
	if st, code := refused(t, e.srv.URL, q, nil); st != http.StatusUnauthorized || code != codes.AccountNotRegister {
		t.Fatalf("no token: HTTP %d code %d", st, code)
	}
	if st, code := refused(t, e.srv.URL, q+"&token=wrong", nil); st != http.StatusUnauthorized || code != codes.AccountNotRegister {
		t.Fatalf("bad token: HTTP %d code %d", st, code)
	}
	if st, code := refused(t, e.srv.URL, q, bearerHeader("wrong")); st != http.StatusUnauthorized || code != codes.AccountNotRegister {
		t.Fatalf("bad bearer: HTTP %d code %d", st, code)
	}
	for name, dial := range map[string]func() *websocket.Conn{
		"query":  func() *websocket.Conn { return dialStream(t, e.srv.URL, q+"&token="+e.token, nil) },
		"bearer": func() *websocket.Conn { return dialStream(t, e.srv.URL, q, bearerHeader(e.token)) },
		"cookie": func() *websocket.Conn {
			return dialStream(t, e.srv.URL, q, http.Header{"Cookie": {SessionCookie + "=" + e.token}})
		},
	} {
		if f := readFrame(t, dial()); f.Type != "snapshot" || len(f.Data) != 1 || f.Data[0].ID != s.full(s.temp) {
			t.Fatalf("%s: first frame %+v", name, f)
		}
	}
}

func TestStreamOriginRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	q := "?ids=" + s.full(s.temp) + "&token=" + e.token
	h := http.Header{"Origin": {"http://evil.example"}}
	if st, code := refused(t, e.srv.URL, q, h); st != http.StatusForbidden || code != codes.ObjectNotAuth {
		t.Fatalf("foreign origin: HTTP %d code %d", st, code)
	}
	cookie := http.Header{"Origin": {"http://evil.example"}, "Cookie": {SessionCookie + "=" + e.token}}
	if st, _ := refused(t, e.srv.URL, "?ids="+s.full(s.temp), cookie); st != http.StatusForbidden {
		t.Fatalf("foreign origin with cookie: HTTP %d", st)
	}
	own := http.Header{"Origin": {e.srv.URL}}
	if f := readFrame(t, dialStream(t, e.srv.URL, q, own)); f.Type != "snapshot" {
		t.Fatalf("own origin: %+v", f)
	}
}

func TestStreamBadSubscriptionRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if st, code := refused(t, e.srv.URL, "?ids=nope&token="+e.token, nil); st != http.StatusBadRequest || code != codes.PointNotExist {
		t.Fatalf("bad id: HTTP %d code %d", st, code)
	}
	missing := strings.Repeat("a", 32)
	if st, code := refused(t, e.srv.URL, "?gateway="+missing+"&token="+e.token, nil); st != http.StatusNotFound || code != codes.IONodeNotExist {
		t.Fatalf("missing gateway: HTTP %d code %d", st, code)
	}
}

func TestStreamSnapshotThenSamples(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	e.ingest(s.gw, bus.WireSample{P: s.dev + "." + s.temp, V: 20.5, T: 1000})
	c := dialStream(t, e.srv.URL, "?ids="+s.full(s.temp)+","+s.full(s.state), bearerHeader(e.token))
	snap := readFrame(t, c)
	if snap.Type != "snapshot" || len(snap.Data) != 2 {
		t.Fatalf("snapshot %+v", snap)
	}
	if d := snap.Data[0]; d.ID != s.full(s.temp) || d.Value != 20.5 || d.TS != 1000 || d.Quality != "good" {
		t.Fatalf("snapshot temp %+v", d)
	}
	if d := snap.Data[1]; d.Value != nil || d.Quality != "uncertain" {
		t.Fatalf("snapshot of a never-reported point %+v", d)
	}
	// A point nobody subscribed to is not forwarded.
	e.ingest(s.gw, bus.WireSample{P: s.dev + "." + s.count, V: float64(1), T: 1500})
	e.ingest(s.gw, bus.WireSample{P: s.dev + "." + s.temp, V: 21.5, T: 2000}, bus.WireSample{P: s.dev + "." + s.state, V: "on", T: 2000})
	got := map[string]any{}
	for len(got) < 2 {
		f := readFrame(t, c)
		if f.Type != "samples" {
			t.Fatalf("want samples, got %+v", f)
		}
		for _, d := range f.Data {
			if d.ID == s.full(s.count) {
				t.Fatalf("unsubscribed point forwarded: %+v", d)
			}
			got[d.ID] = d.Value
		}
	}
	if got[s.full(s.temp)] != 21.5 || got[s.full(s.state)] != "on" {
		t.Fatalf("samples %v", got)
	}
}

func TestStreamResubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	c := dialStream(t, e.srv.URL, "?token="+e.token, nil)
	if f := readFrame(t, c); f.Type != "snapshot" || len(f.Data) != 0 {
		t.Fatalf("empty subscription snapshot %+v", f)
	}
	sendJSON(t, c, map[string]any{"type": "subscribe", "gateway": s.gw, "device": s.dev})
	if f := readFrame(t, c); f.Type != "snapshot" || len(f.Data) != 4 {
		t.Fatalf("device snapshot %+v", f)
	}
	sendJSON(t, c, map[string]any{"type": "subscribe", "ids": []string{"bad"}})
	if f := readFrame(t, c); f.Type != "error" || f.Code != int(codes.PointNotExist) {
		t.Fatalf("bad subscribe: %+v", f)
	}
	// The device subscription is still in force.
	e.ingest(s.gw, bus.WireSample{P: s.dev + "." + s.count, V: float64(5), T: 10})
	if f := readFrame(t, c); f.Type != "samples" || len(f.Data) != 1 || f.Data[0].ID != s.full(s.count) {
		t.Fatalf("samples after a refused subscribe: %+v", f)
	}
	sendJSON(t, c, map[string]any{"type": "subscribe", "ids": []string{s.full(s.temp)}})
	if f := readFrame(t, c); f.Type != "snapshot" || len(f.Data) != 1 || f.Data[0].ID != s.full(s.temp) {
		t.Fatalf("ids snapshot %+v", f)
	}
	e.ingest(s.gw, bus.WireSample{P: s.dev + "." + s.count, V: float64(6), T: 20})
	e.ingest(s.gw, bus.WireSample{P: s.dev + "." + s.temp, V: 1.5, T: 20})
	if f := readFrame(t, c); f.Type != "samples" || len(f.Data) != 1 || f.Data[0].ID != s.full(s.temp) {
		t.Fatalf("samples after resubscribe: %+v", f)
	}
}

// TestStreamOverflow publishes faster than a tiny queue allows and checks
// that every sample is either delivered or counted in a dropped frame, which
// is followed by a fresh snapshot and counted in the metric.
func TestStreamOverflow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(New(e.app, Options{Registry: reg, Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), StreamQueueLimit: 10}))
	t.Cleanup(srv.Close)
	c := dialStream(t, srv.URL, "?gateway="+s.gw+"&token="+e.token, nil)
	readFrame(t, c)

	published, delivered, dropped := 0, 0, 0
	afterDrop := false
	for round := 0; dropped == 0; round++ {
		if round == 200 {
			t.Fatal("the queue never overflowed")
		}
		var batch []bus.WireSample
		for i := 0; i < 50; i++ {
			batch = append(batch, bus.WireSample{P: s.dev + "." + s.temp, V: float64(i), T: int64(round*100 + i)})
		}
		e.ingest(s.gw, batch...)
		published += len(batch)
		// Read until everything published is accounted for.
		for delivered+dropped < published {
			f := readFrame(t, c)
			switch f.Type {
			case "samples":
				delivered += len(f.Data)
			case "dropped":
				dropped += f.Count
				afterDrop = true
			case "snapshot":
				if !afterDrop {
					t.Fatal("snapshot without a dropped frame before it")
				}
				afterDrop = false
			default:
				t.Fatalf("frame %+v", f)
			}
		}
	}
	if delivered+dropped != published {
		t.Fatalf("published %d, delivered %d, dropped %d", published, delivered, dropped)
	}
	if afterDrop {
		if f := readFrame(t, c); f.Type != "snapshot" || len(f.Data) != 4 {
			t.Fatalf("after dropped: %+v", f)
		}
	}
	body := metricsText(t, srv.URL)
	if want := fmt.Sprintf("iotos_stream_dropped_total %d", dropped); !strings.Contains(body, want) {
		t.Fatalf("metrics lack %q:\n%s", want, grepLines(body, "iotos_stream"))
	}
}

func metricsText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStreamManyClients checks that each of many clients gets exactly the
// samples of its own points.
func TestStreamManyClients(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	points := []string{s.temp, s.count, s.state, s.mode}
	const clients, rounds = 12, 20
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		conns[i] = dialStream(t, e.srv.URL, "?ids="+s.full(points[i%len(points)])+"&token="+e.token, nil)
		readFrame(t, conns[i])
	}
	for r := 0; r < rounds; r++ {
		var batch []bus.WireSample
		for _, p := range points {
			batch = append(batch, bus.WireSample{P: s.dev + "." + p, V: fmt.Sprint(r), T: int64(r)})
		}
		e.ingest(s.gw, batch...)
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- expectSamples(t.Context(), c, s.full(points[i%len(points)]), rounds)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// expectSamples reads until n samples arrived, all of id, with ts 0..n-1 in
// order.
func expectSamples(ctx context.Context, c *websocket.Conn, id string, n int) error {
	ctx, cancel := context.WithTimeout(ctx, streamWait)
	defer cancel()
	next := int64(0)
	for next < int64(n) {
		_, b, err := c.Read(ctx)
		if err != nil {
			return fmt.Errorf("%s: after %d samples: %w", id, next, err)
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil || f.Type != "samples" {
			return fmt.Errorf("%s: frame %s", id, b)
		}
		for _, d := range f.Data {
			if d.ID != id || d.TS != next {
				return fmt.Errorf("%s: got %s ts %d, want ts %d", id, d.ID, d.TS, next)
			}
			next++
		}
	}
	return nil
}

func TestStreamClosesOnShutdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	c := dialStream(t, e.srv.URL, "?ids="+s.full(s.temp)+"&token="+e.token, nil)
	readFrame(t, c)
	if err := e.app.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), streamWait)
	defer cancel()
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway {
		t.Fatalf("want close 1001 going away, got %v", err)
	}
}
