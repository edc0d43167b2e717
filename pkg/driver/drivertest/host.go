// Package drivertest is the test kit of the driver SDK: a fake Host that
// records what a driver reports, and the conformance suite every driver must
// pass.
package drivertest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// Interface guard.
var _ driver.Host = (*Host)(nil)

// Host is a fake driver.Host. It records every SetValue(s) and Online call
// and answers Value from a memory the test sets. Safe for concurrent use.
type Host struct {
	mu      sync.Mutex
	samples []driver.Sample
	online  []bool
	memory  map[string]driver.Sample
	subs    map[string][]string
	logger  *slog.Logger
}

// NewHost returns a Host logging to the test's log.
func NewHost(t testing.TB) *Host {
	return &Host{
		memory: map[string]driver.Sample{},
		logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// SetValue records one pushed value.
func (h *Host) SetValue(name string, value any, ts time.Time) error {
	if ts.IsZero() {
		ts = time.Now()
	}
	return h.SetValues([]driver.Sample{{Point: name, Value: value, TS: ts, Quality: driver.Good}})
}

// SetValues records pushed samples.
func (h *Host) SetValues(samples []driver.Sample) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, samples...)
	return nil
}

// Value answers from the memory set with SetMemory, whatever the source.
func (h *Host) Value(ctx context.Context, name string, src driver.Source) (driver.Sample, error) {
	if err := ctx.Err(); err != nil {
		return driver.Sample{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.memory[name]
	if !ok {
		return driver.Sample{}, driver.Errorf(110, "point %q has no value (source %s)", name, src)
	}
	return s, nil
}

// Online records an online/offline mark.
func (h *Host) Online(online bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.online = append(h.online, online)
}

// Subscribers answers from the subscribers set with SetSubscribers.
func (h *Host) Subscribers(name string) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.subs[name]...), nil
}

// SetSubscribers sets the device IDs Subscribers returns for name.
func (h *Host) SetSubscribers(name string, ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[string][]string{}
	}
	h.subs[name] = ids
}

// Logger logs to the test's log.
func (h *Host) Logger() *slog.Logger { return h.logger }

// SetMemory sets the sample Value returns for name.
func (h *Host) SetMemory(name string, s driver.Sample) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.memory[name] = s
}

// Samples returns a copy of every sample pushed so far.
func (h *Host) Samples() []driver.Sample {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]driver.Sample(nil), h.samples...)
}

// OnlineCalls returns every Online mark so far, in order.
func (h *Host) OnlineCalls() []bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bool(nil), h.online...)
}

// testWriter sends log lines to t.Log, so they show only for failing tests.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
