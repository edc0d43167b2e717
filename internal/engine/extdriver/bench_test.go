package extdriver

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

const benchPoints = 100

func benchPointList() []driver.Point {
	pts := make([]driver.Point, benchPoints)
	for i := range pts {
		pts[i] = driver.Point{ID: fmt.Sprintf("%04x", i+1), Type: driver.Int, Access: driver.Read}
		if i > 0 {
			pts[i].Proxy = &driver.Proxy{Pointer: "0001", Index: i}
		}
	}
	return pts
}

// countHost counts good samples and signals when a target is reached.
type countHost struct {
	n      atomic.Int64
	target atomic.Int64
	done   chan struct{}
}

func (h *countHost) SetValue(string, any, time.Time) error {
	return h.SetValues(make([]driver.Sample, 1))
}
func (h *countHost) SetValues(s []driver.Sample) error {
	if n := h.n.Add(int64(len(s))); n >= h.target.Load() && h.target.Load() > 0 {
		select {
		case h.done <- struct{}{}:
		default:
		}
	}
	return nil
}
func (h *countHost) Value(context.Context, string, driver.Source) (driver.Sample, error) {
	return driver.Sample{}, nil
}
func (h *countHost) Online(bool)                          {}
func (h *countHost) Subscribers(string) ([]string, error) { return nil, nil }
func (h *countHost) Logger() *slog.Logger                 { return slog.New(slog.DiscardHandler) }

// BenchmarkExtDriver compares samples/s of the same reads in-process,
// through a Go external driver over the shim, and pushed by a Python driver's
// collection loop (one Collecting call filling 100 points by proxy).
func BenchmarkExtDriver(b *testing.B) {
	pts := benchPointList()
	readLoop := func(b *testing.B, d driver.Driver) {
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			s, err := d.Read(ctx, pts)
			if err != nil || len(s) != benchPoints {
				b.Fatalf("Read = %d samples, %v", len(s), err)
			}
		}
		b.ReportMetric(float64(b.N*benchPoints)/b.Elapsed().Seconds(), "samples/s")
	}
	b.Run("inprocess", func(b *testing.B) {
		d := &counter{}
		if err := d.Init(&countHost{}, testDevice(`{}`, pts...)); err != nil {
			b.Fatal(err)
		}
		readLoop(b, d)
	})
	b.Run("go-shim", func(b *testing.B) {
		d := New(goChild(b)).(*Driver)
		if err := d.Init(&countHost{}, testDevice(counterConfig(), pts...)); err != nil {
			b.Fatal(err)
		}
		if err := d.Connect(context.Background()); err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		readLoop(b, d)
	})
	b.Run("python", func(b *testing.B) {
		src := "from driver import *\n\nclass Bench(IOTOSDriverI):\n    def Collecting(self, dataId):\n        return tuple(range(" + fmt.Sprint(benchPoints) + "))\n"
		h := &countHost{done: make(chan struct{}, 1)}
		h.target.Store(1 << 62)
		d := New(pyDriver(b, "dr_bench", "Bench", src)).(*Driver)
		if err := d.Init(h, testDevice(`{"mincycle": 1}`, pts...)); err != nil {
			b.Fatal(err)
		}
		if err := d.Connect(context.Background()); err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		b.ResetTimer()
		start := time.Now()
		h.target.Store(h.n.Load() + int64(b.N))
		select {
		case <-h.done:
		case <-time.After(5 * time.Minute):
			b.Fatal("the Python driver stopped producing")
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "samples/s")
	})
}
