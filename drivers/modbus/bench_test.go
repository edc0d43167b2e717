package modbus

import (
	"fmt"
	"testing"

	"github.com/iotos/iotos/drivers/modbus/sim"
	"github.com/iotos/iotos/pkg/driver"
)

// mixedPoints lays out points of mixed types over the first n holding
// registers.
func mixedPoints(n int) []driver.Point {
	layout := []struct {
		typ   string
		model driver.Type
		width int
	}{
		{"uint16", driver.Int, 1}, {"int16", driver.Float, 1}, {"int32", driver.Int, 2},
		{"float32", driver.Float, 2}, {"uint32", driver.Int, 2}, {"float64", driver.Float, 4},
	}
	var pts []driver.Point
	for addr, i := 0, 0; ; i++ {
		l := layout[i%len(layout)]
		if addr+l.width > n {
			return pts
		}
		cfg := map[string]any{"area": "holding", "address": addr, "type": l.typ}
		if l.model == driver.Float && l.width == 1 {
			cfg["scale"] = 0.1
		}
		if i%4 == 1 && l.width > 1 {
			cfg["order"] = "CDAB"
		}
		pts = append(pts, point(fmt.Sprintf("%04x", i), l.model, cfg))
		addr += l.width
	}
}

// BenchmarkPoll1000 polls 1,000 holding registers of mixed types from the
// simulator over loopback and reports values/s and requests per poll.
func BenchmarkPoll1000(b *testing.B) {
	s, err := sim.Start(sim.Options{Registers: 1000})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pts := mixedPoints(1000)
	m := New().(*Modbus)
	if err := m.Init(newHost(b), deviceFor("tcp://"+s.Addrs()[0], nil, pts...)); err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	if err := m.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	before := s.Stats()[0].Requests
	b.ResetTimer()
	for b.Loop() {
		samples, err := m.Read(ctx, pts)
		if err != nil {
			b.Fatal(err)
		}
		if samples[0].Quality != driver.Good {
			b.Fatalf("bad sample %+v", samples[0])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(pts))*float64(b.N)/b.Elapsed().Seconds(), "values/s")
	b.ReportMetric(float64(s.Stats()[0].Requests-before)/float64(b.N), "requests/poll")
}
