package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// TestScaleTable checks the generated .tb: it imports as is, spreads the
// points over the devices (the first ones take the remainder), mixes the
// types, makes every tenth point writable and hands the refreshcycles out in
// turn.
func TestScaleTable(t *testing.T) {
	gw := strings.Repeat("ab", 16)
	o := scaleOptions{points: 25, devices: 2, cycles: []int{1000, 5000}}
	tb, _, err := model.DecodeTB(scaleTable(gw, o))
	if err != nil {
		t.Fatal(err)
	}
	if tb.Gateway.ID != gw || len(tb.Devices) != 2 {
		t.Fatalf("gateway %q with %d devices", tb.Gateway.ID, len(tb.Devices))
	}
	types := map[driver.Type]int{}
	n := 0
	for d, dt := range tb.Devices {
		if want := []int{13, 12}[d]; len(dt.Points) != want || dt.Device.Driver != "simulator" {
			t.Fatalf("device %d: %d points of driver %q, want %d of simulator", d, len(dt.Points), dt.Device.Driver, want)
		}
		for i, p := range dt.Points {
			types[p.Type]++
			if writable := i%10 == 9; writable != p.Access.CanWrite() {
				t.Fatalf("device %d point %d: access %s", d, i, p.Access)
			}
			if want := int64(o.cycles[n%2]); p.IntervalMS != want {
				t.Fatalf("device %d point %d: interval %d, want %d", d, i, p.IntervalMS, want)
			}
			n++
		}
	}
	if types[driver.Float] != 13 || types[driver.Int] != 6 || types[driver.Bool] != 4 || types[driver.String] != 2 {
		t.Fatalf("types %v", types)
	}
	if _, err := decodeFloor(scaleTable(gw, o)); err != nil {
		t.Fatal(err)
	}
}

// TestBenchScaleSmall runs `iotos bench scale` end to end at a small size
// and checks that each scale measured a complete load: every point got a
// value, both processes' memory was read, the report and verdict printed.
// Whether the targets are met depends on the machine, so a run that misses
// them only has to say so.
func TestBenchScaleSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	dir := t.TempDir()
	p := startProc(t, nil, "bench", "scale", "--points", "3000", "--devices", "6", "--steady", "2s", "--dir", dir)
	code := p.wait(t, 3*time.Minute)
	out := p.out.String()
	if code != 0 && !strings.Contains(out, "scale bench: targets missed") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"## 300 points: 1 simulator devices", "## 3000 points: 6 simulator devices × 500 points",
		"table load: engine start → every value", "platform + engine peaks", "targets for 3000 points", "  table load "} {
		if !strings.Contains(out, want) {
			t.Fatalf("the report lacks %q:\n%s", want, out)
		}
	}
	for i, want := range []struct{ points, devices int }{{300, 1}, {3000, 6}} {
		raw, err := os.ReadFile(filepath.Join(dir, []string{"result-0.json", "result-1.json"}[i]))
		if err != nil {
			t.Fatal(err)
		}
		var r scaleResult
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.Points != want.points || r.Devices != want.devices || r.TBBytes == 0 || r.Import <= 0 || r.Decode <= 0 {
			t.Fatalf("run %d: %+v", i, r)
		}
		if r.Load <= 0 || r.FirstValue <= 0 || r.FirstValue > r.Load || r.AllOnline <= 0 || r.Steady <= 0 {
			t.Fatalf("run %d: load not measured: %+v", i, r)
		}
		if runtime.GOOS == "linux" && (r.Platform.Load <= 0 || r.Platform.Peak <= 0 || r.Engine.Load <= 0 || r.Engine.Peak < r.Engine.Load) {
			t.Fatalf("run %d: memory not measured: %+v", i, r)
		}
	}
}
