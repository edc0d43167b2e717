package modbus

import (
	"testing"

	"github.com/iotos/iotos/drivers/modbus/sim"
	"github.com/iotos/iotos/pkg/driver"
)

// The driver polls the simulator in the planned number of requests and a
// write to it sticks.
func TestAgainstSimulator(t *testing.T) {
	s, err := sim.Start(sim.Options{Registers: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pts := mixedPoints(1000)
	m := connected(t, deviceFor("tcp://"+s.Addrs()[0], nil, pts...))
	before := s.Stats()[0].Requests
	samples, err := m.Read(ctxT(t), pts)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Stats()[0].Requests - before; n != 9 {
		t.Errorf("a poll of 1,000 registers took %d requests, want 9", n)
	}
	for _, smp := range samples {
		if smp.Quality != driver.Good {
			t.Fatalf("sample %+v", smp)
		}
	}
	if _, err := m.Write(ctxT(t), pts[0], int64(4242)); err != nil {
		t.Fatal(err)
	}
	got, err := m.ReadNow(ctxT(t), pts[0])
	if err != nil || got.Value != int64(4242) {
		t.Fatalf("read back %+v, %v", got, err)
	}
}
