package engine

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	_ "github.com/iotos/iotos/drivers/simulator"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testGW = "0123456789abcdef0123456789abcdef"

// waitTimeout is generous: machines are shared and slow at times.
const waitTimeout = 20 * time.Second

// MemorySink is a Sink that keeps every sample in memory.
type MemorySink struct {
	mu      sync.Mutex
	samples []bus.WireSample
}

func (s *MemorySink) Add(samples []bus.WireSample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, samples...)
}

func (s *MemorySink) Backlog() (batches, bytes, dropped int64) { return 1, 2, 3 }

// of returns every sample of one "dev.pt", in order.
func (s *MemorySink) of(key string) []bus.WireSample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bus.WireSample
	for _, w := range s.samples {
		if w.P == key {
			out = append(out, w)
		}
	}
	return out
}

// waitFor polls cond until it holds or the generous timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeLink is an in-memory bus.EngineLink serving tables and recording
// what the engine sends.
type fakeLink struct {
	mu          sync.Mutex
	up          bool
	tables      map[string]bus.DeviceTable
	statuses    []bus.Status
	handler     bus.EngineHandler
	values      map[string]model.Sample
	reconnected chan struct{}
}

func newFakeLink(tables ...bus.DeviceTable) *fakeLink {
	l := &fakeLink{up: true, tables: map[string]bus.DeviceTable{}, values: map[string]model.Sample{},
		reconnected: make(chan struct{}, 1)}
	for _, dt := range tables {
		l.tables[dt.Device.ID] = dt
	}
	return l
}

func (l *fakeLink) setTable(dt bus.DeviceTable) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tables[dt.Device.ID] = dt
}

func (l *fakeLink) dropTable(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.tables, id)
}

func (l *fakeLink) Gateway() string { return testGW }
func (l *fakeLink) SendBatch(context.Context, bus.Batch) (bus.Ack, error) {
	return bus.Ack{}, errors.New("not used")
}
func (l *fakeLink) PublishStatus(st bus.Status) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statuses = append(l.statuses, st)
	return nil
}
func (l *fakeLink) TableIndex(context.Context) (bus.TableIndex, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.up {
		return bus.TableIndex{}, codes.New(codes.NoWebSer, "down")
	}
	var idx bus.TableIndex
	for id, dt := range l.tables {
		idx.Devices = append(idx.Devices, bus.DeviceVersion{ID: id, Version: dt.Version})
	}
	return idx, nil
}
func (l *fakeLink) DeviceTable(_ context.Context, id string) (bus.DeviceTable, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	dt, ok := l.tables[id]
	if !ok {
		return dt, codes.New(codes.DeviceNotExist, "no %s", id)
	}
	return dt, nil
}
func (l *fakeLink) Values(_ context.Context, ids []string) ([]model.Sample, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []model.Sample
	for _, id := range ids {
		if s, ok := l.values[id]; ok {
			out = append(out, s)
		}
	}
	return out, nil
}
func (l *fakeLink) Serve(h bus.EngineHandler) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handler = h
	return nil
}
func (l *fakeLink) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.up
}
func (l *fakeLink) Reconnected() <-chan struct{} { return l.reconnected }
func (l *fakeLink) Close() error                 { return nil }

func (l *fakeLink) lastStatus() (bus.Status, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.statuses) == 0 {
		return bus.Status{}, false
	}
	return l.statuses[len(l.statuses)-1], true
}

// point is a polled read-only point; tests adjust the fields they need.
func testPoint(id string, typ driver.Type, cfg string) model.Point {
	p := model.Point{ID: id, Gateway: testGW, Name: "p" + id, Type: typ, Access: driver.Read, IntervalMS: 5}
	if cfg != "" {
		p.Config = json.RawMessage(cfg)
	}
	return p
}

// testTable is a device table with a version computed as the platform does.
func testTable(id, drv string, points ...model.Point) bus.DeviceTable {
	for i := range points {
		points[i].Device = id
	}
	dev := model.Device{ID: id, Gateway: testGW, Name: "dev" + id, Driver: drv, Enabled: true}
	dt := bus.DeviceTable{Device: dev, Points: points}
	dt.Version = model.DeviceVersion(model.DeviceTable{Device: dev, Points: points}, dev.Config)
	return dt
}

// revise recomputes a table's version after a test changed it.
func revise(dt bus.DeviceTable) bus.DeviceTable {
	dt.Version = model.DeviceVersion(model.DeviceTable{Device: dt.Device, Points: dt.Points}, dt.Device.Config)
	return dt
}

// harness runs an engine for one test.
type harness struct {
	e    *Engine
	sink *MemorySink
	link *fakeLink
	dir  string
}

type harnessOpts struct {
	link    *fakeLink // nil: no platform
	drivers map[string]driver.Factory
	cached  []bus.DeviceTable
	dir     string
}

func startEngine(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	for _, dt := range o.cached {
		if err := (tableCache{dir: tablesDir(o.dir)}).save(dt); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{sink: &MemorySink{}, link: o.link, dir: o.dir}
	opts := Options{Gateway: testGW, Dir: o.dir, Sink: h.sink, Epoch: "ep1",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: registry(o.drivers)}
	if o.link != nil {
		opts.Link = o.link
	}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.e = e
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return h
}

// registry resolves test drivers first, then the registered ones.
func registry(extra map[string]driver.Factory) func(string) (driver.Factory, bool) {
	return func(name string) (driver.Factory, bool) {
		if f, ok := extra[name]; ok {
			return f, true
		}
		return lookupRegistered(name)
	}
}

func (h *harness) device(id string) *device {
	h.e.mu.RLock()
	defer h.e.mu.RUnlock()
	return h.e.devices[id]
}

// values returns the good values of one point's samples.
func (h *harness) values(key string) []any {
	var out []any
	for _, w := range h.sink.of(key) {
		if w.Q == "" {
			out = append(out, w.V)
		}
	}
	return out
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// online reports whether a device exists and is online.
func (h *harness) online(id string) bool {
	d := h.device(id)
	return d != nil && d.state().Online
}
