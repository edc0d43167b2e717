package modbus

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// goldenConfig is testdata/<case>/config.json: the device's config (its url
// is filled in with the test server's) and its points.
type goldenConfig struct {
	Device map[string]any `json:"device"`
	Points []struct {
		ID     string          `json:"id"`
		Type   driver.Type     `json:"type"`
		Config json.RawMessage `json:"config"`
	} `json:"points"`
}

// goldenRegisters is testdata/<case>/registers.json: unit 1's register
// contents by area and address, addresses that answer with an exception,
// and the device's largest accepted read.
type goldenRegisters struct {
	Areas       map[string]map[string]uint16 `json:"areas"`
	Unmapped    map[string][]uint16          `json:"unmapped"`
	MaxQuantity int                          `json:"max_quantity"`
}

// goldenExpected is testdata/<case>/expected.json: every point's value (as
// JSON) or error code, and how many requests a poll takes once the planner
// has learned the device.
type goldenExpected struct {
	Requests *int `json:"requests"`
	Samples  map[string]struct {
		Value json.RawMessage `json:"value"`
		Code  int             `json:"code"`
	} `json:"samples"`
}

func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/config.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, cfg := range dirs {
		dir := filepath.Dir(cfg)
		t.Run(filepath.Base(dir), func(t *testing.T) { runGolden(t, dir) })
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func runGolden(t *testing.T, dir string) {
	var cfg goldenConfig
	var regs goldenRegisters
	var want goldenExpected
	readJSON(t, filepath.Join(dir, "config.json"), &cfg)
	readJSON(t, filepath.Join(dir, "registers.json"), &regs)
	readJSON(t, filepath.Join(dir, "expected.json"), &want)

	d := newDevice()
	loadRegisters(t, d, regs)
	srv := startServer(t, d)

	cfg.Device["url"] = srv.url()
	devRaw, _ := json.Marshal(cfg.Device)
	dev := driver.Device{ID: "0000000a", Config: devRaw}
	for _, p := range cfg.Points {
		dev.Points = append(dev.Points, driver.Point{ID: p.ID, Name: p.ID, Type: p.Type, Access: driver.ReadWrite, Config: p.Config})
	}
	m := connected(t, dev)

	// The first poll may teach the planner; the second must be stable.
	for poll := range 2 {
		before := d.count()
		samples, err := m.Read(ctxT(t), dev.Points)
		if err != nil {
			t.Fatalf("poll %d: %v", poll, err)
		}
		checkSamples(t, poll, dev.Points, samples, want)
		if n := d.count() - before; poll == 1 && want.Requests != nil && n != *want.Requests {
			t.Errorf("poll %d took %d requests, want %d", poll, n, *want.Requests)
		}
	}
}

func loadRegisters(t *testing.T, d *device, regs goldenRegisters) {
	t.Helper()
	for name, values := range regs.Areas {
		a, ok := areaNames[name]
		if !ok {
			t.Fatalf("registers.json: unknown area %q", name)
		}
		for addr, v := range values {
			n, err := strconv.ParseUint(addr, 10, 16)
			if err != nil {
				t.Fatalf("registers.json: address %q", addr)
			}
			d.set(1, a, uint16(n), v)
		}
	}
	for name, addrs := range regs.Unmapped {
		for _, addr := range addrs {
			d.unmap(areaNames[name], addr)
		}
	}
	d.maxQty = regs.MaxQuantity
}

func checkSamples(t *testing.T, poll int, points []driver.Point, samples []driver.Sample, want goldenExpected) {
	t.Helper()
	if len(samples) != len(points) || len(want.Samples) != len(points) {
		t.Fatalf("poll %d: %d samples for %d points, %d expected", poll, len(samples), len(points), len(want.Samples))
	}
	for i, s := range samples {
		w, ok := want.Samples[points[i].ID]
		if !ok || s.Point != points[i].ID {
			t.Fatalf("poll %d: sample %d is %q, want %q (in expected.json)", poll, i, s.Point, points[i].ID)
		}
		if w.Code != 0 {
			if s.Quality != driver.Bad || s.Code != w.Code {
				t.Errorf("poll %d point %s: %+v, want bad with code %d", poll, s.Point, s, w.Code)
			}
			continue
		}
		if s.Quality != driver.Good || !sameValue(s.Value, w.Value) {
			t.Errorf("poll %d point %s: %#v (%T, %s, code %d), want %s", poll, s.Point, s.Value, s.Value, s.Quality, s.Code, w.Value)
		}
		if c, err := driver.Convert(points[i].Type, s.Value); err != nil || c != s.Value {
			t.Errorf("poll %d point %s: %T is not the Go type of %s", poll, s.Point, s.Value, points[i].Type)
		}
	}
}

// connected returns a driver initialised with dev and connected.
func connected(t *testing.T, dev driver.Device) *Modbus {
	t.Helper()
	m := New().(*Modbus)
	if err := m.Init(newHost(t), dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	if err := m.Connect(ctxT(t)); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// sameValue compares a sample value with its expected JSON exactly: int64
// as integers, float64 as the nearest double, bools and strings as such.
func sameValue(got any, want json.RawMessage) bool {
	dec := json.NewDecoder(bytes.NewReader(want))
	dec.UseNumber()
	var w any
	if err := dec.Decode(&w); err != nil {
		return false
	}
	n, isNum := w.(json.Number)
	switch g := got.(type) {
	case int64:
		i, err := n.Int64()
		return isNum && err == nil && i == g
	case float64:
		f, err := n.Float64()
		return isNum && err == nil && f == g
	}
	return got == w
}
