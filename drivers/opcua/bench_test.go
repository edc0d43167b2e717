package opcua

import (
	"context"
	"fmt"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// benchPoints are 20 points over the test server's variables.
func benchPoints() []driver.Point {
	nodes := []string{"Temperature", "Setpoint", "Count", "Mode", "Limits.High"}
	var out []driver.Point
	for i := range 20 {
		out = append(out, point(fmt.Sprintf("%04x", i+1), driver.Float, driver.Read, "ns=2;s="+nodes[i%len(nodes)], "", 0))
	}
	return out
}

func benchDriver(b *testing.B, points []driver.Point) *OPCUA {
	srv, err := launch(freePort(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.kill)
	d := New().(*OPCUA)
	if err := d.Init(drivertest.NewHost(b), deviceFor(map[string]any{"endpoint": srv.endpoint(), "watchdog_interval": "1h"}, points...)); err != nil {
		b.Fatal(err)
	}
	if err := d.Connect(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	return d
}

// BenchmarkReadBatch reads 20 points as the engine does: one Read request.
func BenchmarkReadBatch(b *testing.B) {
	points := benchPoints()
	d := benchDriver(b, points)
	ctx := context.Background()
	n := 0
	for b.Loop() {
		if _, err := d.Read(ctx, points); err != nil {
			b.Fatal(err)
		}
		n += len(points)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "values/s")
}

// BenchmarkReadOneByOne is the baseline: the same 20 points, one request
// each.
func BenchmarkReadOneByOne(b *testing.B) {
	points := benchPoints()
	d := benchDriver(b, points)
	ctx := context.Background()
	n := 0
	for b.Loop() {
		for _, p := range points {
			if _, err := d.ReadNow(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		n += len(points)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "values/s")
}
