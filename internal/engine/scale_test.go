package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// countSink counts samples and keeps none.
type countSink struct{ n atomic.Int64 }

func (s *countSink) Add(samples []bus.WireSample)             { s.n.Add(int64(len(samples))) }
func (s *countSink) Backlog() (batches, bytes, dropped int64) { return 0, 0, 0 }

// scaleTables are devices × points simulator tables shaped like the scale
// bench's: mixed types, every tenth point writable, slow polls.
func scaleTables(devices, points int) []bus.DeviceTable {
	var out []bus.DeviceTable
	for d := 0; d < devices; d++ {
		dt := bus.DeviceTable{Device: model.Device{Gateway: testGW, ID: fmt.Sprintf("%08x", d+1), Name: fmt.Sprintf("dev%d", d),
			Driver: "simulator", Config: json.RawMessage(`{}`), Enabled: true}, Version: fmt.Sprint("v", d)}
		for p := 0; p < points; p++ {
			pt := model.Point{Gateway: testGW, Device: dt.Device.ID, ID: fmt.Sprintf("%04x", p+1), Name: fmt.Sprintf("p%d", p),
				Type: driver.Float, Access: driver.Access("r"), IntervalMS: 60000,
				Config: json.RawMessage(`{"change":"random","min":0,"max":100}`)}
			dt.Points = append(dt.Points, pt)
		}
		out = append(out, dt)
	}
	return out
}

// BenchmarkEngineScale loads 100 devices × 1,000 points through a fake link
// and reports the engine's heap per point once every point has reported.
// ENGINE_HEAP_PROFILE=file writes a heap profile at that moment.
func BenchmarkEngineScale(b *testing.B) {
	const devices, points = 100, 1000
	tables := scaleTables(devices, points)
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		sink := &countSink{}
		e, err := New(Options{Gateway: testGW, Dir: b.TempDir(), Sink: sink, Link: newFakeLink(tables...),
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: registry(nil)})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- e.Run(ctx) }()
		for sink.n.Load() < devices*points {
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("%d of %d points reported after 5 minutes", sink.n.Load(), devices*points)
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.ReportMetric(time.Since(start).Seconds(), "load-s")
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(devices*points), "heap-B/point")
		if f := os.Getenv("ENGINE_HEAP_PROFILE"); f != "" {
			out, err := os.Create(f)
			if err != nil {
				b.Fatal(err)
			}
			_ = pprof.WriteHeapProfile(out)
			out.Close()
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
