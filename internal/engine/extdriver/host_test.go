package extdriver

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// recHost is a driver.Host that records what a driver reports.
type recHost struct {
	mu      sync.Mutex
	changed chan struct{} // signalled on every report
	samples []driver.Sample
	online  []bool
	logs    []slog.Record
}

func newRecHost() *recHost { return &recHost{changed: make(chan struct{}, 1)} }

func (h *recHost) signal() {
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

func (h *recHost) SetValue(name string, v any, ts time.Time) error {
	return h.SetValues([]driver.Sample{{Point: name, Value: v, TS: ts, Quality: driver.Good}})
}

func (h *recHost) SetValues(s []driver.Sample) error {
	h.mu.Lock()
	h.samples = append(h.samples, s...)
	h.mu.Unlock()
	h.signal()
	return nil
}

func (h *recHost) Value(_ context.Context, name string, src driver.Source) (driver.Sample, error) {
	return driver.GoodSample(name, "from-"+string(src)), nil
}

func (h *recHost) Online(on bool) {
	h.mu.Lock()
	h.online = append(h.online, on)
	h.mu.Unlock()
	h.signal()
}

// Subscribers answers with two devices for point 0001 and none otherwise.
func (h *recHost) Subscribers(name string) ([]string, error) {
	if name == "0001" {
		return []string{"0000000b", "0000000c"}, nil
	}
	return nil, nil
}

func (h *recHost) Logger() *slog.Logger { return slog.New(&recHandler{h: h}) }

// waitFor polls cond under the lock until it holds or a generous timeout.
func (h *recHost) waitFor(t *testing.T, what string, cond func(h *recHost) bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		h.mu.Lock()
		ok := cond(h)
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-h.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (h *recHost) valuesOf(point string) []any {
	var out []any
	for _, s := range h.samples {
		if s.Point == point && s.Quality == driver.Good {
			out = append(out, s.Value)
		}
	}
	return out
}

func (h *recHost) wentOffline() bool {
	for _, o := range h.online {
		if !o {
			return true
		}
	}
	return false
}

type recHandler struct{ h *recHost }

func (r *recHandler) Enabled(context.Context, slog.Level) bool { return true }
func (r *recHandler) Handle(_ context.Context, rec slog.Record) error {
	r.h.mu.Lock()
	r.h.logs = append(r.h.logs, rec.Clone())
	r.h.mu.Unlock()
	r.h.signal()
	return nil
}
func (r *recHandler) WithAttrs(a []slog.Attr) slog.Handler { return r }
func (r *recHandler) WithGroup(string) slog.Handler        { return r }
