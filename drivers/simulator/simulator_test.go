package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*/expected.json from the reads")

// step is one step of a golden case: a read with the expected value of
// every point in table order, or a write.
type step struct {
	Read  []any `json:"read,omitempty"`
	Write *struct {
		Point string `json:"point"`
		Value any    `json:"value"`
	} `json:"write,omitempty"`
}

func loadDevice(t testing.TB, path string) driver.Device {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dev driver.Device
	if err := json.Unmarshal(raw, &dev); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, p := range dev.Points {
		if p.Default != nil {
			if dev.Points[i].Default, err = driver.Convert(p.Type, p.Default); err != nil {
				t.Fatalf("%s point %s default: %v", path, p.ID, err)
			}
		}
	}
	return dev
}

func newSim(t testing.TB, dev driver.Device) *Simulator {
	t.Helper()
	s := &Simulator{}
	if err := s.Init(drivertest.NewHost(t), dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	return s
}

// TestCases runs every testdata/<case>/ folder: device.json is the device,
// expected.json the reads and writes in order.
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/device.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, path := range dirs {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) { runCase(t, dir) })
	}
}

func runCase(t *testing.T, dir string) {
	dev := loadDevice(t, filepath.Join(dir, "device.json"))
	sim := newSim(t, dev)
	var steps []step
	want := filepath.Join(dir, "expected.json")
	if raw, err := os.ReadFile(want); err == nil {
		if err := json.Unmarshal(raw, &steps); err != nil {
			t.Fatalf("%s: %v", want, err)
		}
	} else if !*update {
		t.Fatal(err)
	}
	if *update && len(steps) == 0 {
		steps = make([]step, 6)
	}
	for i := range steps {
		steps[i] = runStep(t, sim, dev, i, steps[i])
	}
	if *update {
		out, _ := json.MarshalIndent(steps, "", "  ")
		if err := os.WriteFile(want, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runStep(t *testing.T, sim *Simulator, dev driver.Device, i int, st step) step {
	ctx := context.Background()
	if st.Write != nil {
		p := pointByID(t, dev, st.Write.Point)
		if res, err := sim.Write(ctx, p, st.Write.Value); err != nil || res.Code != 0 {
			t.Fatalf("step %d: write %s: %v %+v", i, p.ID, err, res)
		}
		return st
	}
	samples, err := sim.Read(ctx, dev.Points)
	if err != nil {
		t.Fatalf("step %d: read: %v", i, err)
	}
	got := make([]any, len(samples))
	for j, s := range samples {
		got[j] = s.Value
		if *update {
			continue
		}
		want, err := driver.Convert(dev.Points[j].Type, st.Read[j])
		if err != nil {
			t.Fatalf("step %d point %s: expected value: %v", i, s.Point, err)
		}
		if !same(want, s.Value) {
			t.Errorf("step %d point %s: got %v (%T), want %v", i, s.Point, s.Value, s.Value, want)
		}
	}
	return step{Read: got}
}

func same(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB {
		return math.Abs(fa-fb) < 1e-9
	}
	return a == b
}

func pointByID(t *testing.T, dev driver.Device, id string) driver.Point {
	for _, p := range dev.Points {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no point %s", id)
	return driver.Point{}
}

func TestConformance(t *testing.T) {
	f, ok := driver.Lookup("simulator")
	if !ok {
		t.Fatal("simulator is not registered")
	}
	dev := loadDevice(t, "testdata/write_keeps/device.json")
	dev.Config = json.RawMessage(`{"seed": 3}`)
	drivertest.RunConformance(t, f.Factory, dev)
}

// TestSampleConfig keeps the documented sample working.
func TestSampleConfig(t *testing.T) {
	dev := loadDevice(t, "testdata/sample.json")
	sim := newSim(t, dev)
	samples, err := sim.Read(context.Background(), dev.Points)
	if err != nil || len(samples) != len(dev.Points) {
		t.Fatalf("Read: %v (%d samples)", err, len(samples))
	}
	if v := samples[0].Value.(float64); v < 18.5 || v > 24 {
		t.Fatalf("temperature %v is outside 18.5…24", v)
	}
	if samples[3].Value != "auto" || samples[4].Value != 100.0 {
		t.Fatalf("samples = %+v", samples)
	}
}

func TestInitRejectsBadConfig(t *testing.T) {
	cases := map[string]struct {
		device, point string
	}{
		"unknown device key": {device: `{"sead": 1}`},
		"bad latency":        {device: `{"latency": "soon"}`},
		"unknown point key":  {point: `{"chnage": "random"}`},
		"unknown change":     {point: `{"change": "sideways"}`},
		"min above max":      {point: `{"min": 5, "max": 1}`},
		"value not an INT":   {point: `{"value": "high"}`},
		"values not INTs":    {point: `{"values": [1, "x"]}`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dev := driver.Device{ID: "0a000009", Config: json.RawMessage(c.device), Points: []driver.Point{
				{ID: "0001", Type: driver.Int, Access: driver.Read, Config: json.RawMessage(c.point)},
			}}
			err := (&Simulator{}).Init(drivertest.NewHost(t), dev)
			if code := drivertest.ErrorCode(err); code != driver.CodeArgError {
				t.Fatalf("Init: code %d (%v), want 105", code, err)
			}
		})
	}
}

func TestReadHonoursContext(t *testing.T) {
	dev := driver.Device{ID: "0a000005", Config: json.RawMessage(`{"latency": "1h"}`), Points: []driver.Point{
		{ID: "0001", Type: driver.Float, Access: driver.Read},
	}}
	sim := newSim(t, dev)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := sim.Read(ctx, dev.Points)
	if code := drivertest.ErrorCode(err); code != driver.CodeTimeout {
		t.Fatalf("Read past the deadline: code %d (%v), want 519", code, err)
	}
}

func TestBroadcastEchoesTypeAndSender(t *testing.T) {
	sim := newSim(t, driver.Device{ID: "0a000006"})
	res, err := sim.Broadcast(context.Background(), driver.Message{From: "user:ops", Type: "sync", Data: json.RawMessage(`{}`)})
	if err != nil || res.Code != 0 {
		t.Fatalf("Broadcast: %v %+v", err, res)
	}
	data, _ := res.Data.(map[string]any)
	if data["type"] != "sync" || data["ack"] != true || data["from"] != "user:ops" {
		t.Fatalf("Broadcast data = %v", res.Data)
	}
}

func TestWriteRejectsWrongType(t *testing.T) {
	dev := driver.Device{ID: "0a000007", Points: []driver.Point{{ID: "0001", Type: driver.Int, Access: driver.ReadWrite}}}
	sim := newSim(t, dev)
	_, err := sim.Write(context.Background(), dev.Points[0], "many")
	var de *driver.Error
	if !errors.As(err, &de) || de.Code != driver.CodeTypeNotValid {
		t.Fatalf("Write of a string to an INT: %v, want code 516", err)
	}
}

func BenchmarkRead(b *testing.B) {
	dev := driver.Device{ID: "0a000008"}
	for i := range 1000 {
		typ := []driver.Type{driver.Int, driver.Float, driver.Bool, driver.String}[i%4]
		dev.Points = append(dev.Points, driver.Point{ID: fmt.Sprintf("%04x", i), Type: typ, Access: driver.Read})
	}
	sim := newSim(b, dev)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sim.Read(ctx, dev.Points); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(dev.Points))/b.Elapsed().Seconds(), "values/s")
}
