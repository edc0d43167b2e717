package main

import (
	"context"
	"testing"
	"time"
)

// TestBenchModbusWrites runs the Modbus bench's write round trip at a small
// scale against the real engine binary: writes under a poll load, then with
// collection paused. Every write must succeed with its value in the reply
// (the bench fails otherwise), reach the simulator exactly once and leave
// the last value in each device's register, and the audit log must hold
// one record per write for the command's share.
func TestBenchModbusWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	self := iotosBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	p, err := startModbusPlatform(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stopModbusPlatform(p)
	h := &modbusHarness{p: p, dir: dir, self: self}
	s := modbusScenario{
		title: "write smoke", devices: 3, registers: 200, maxRegisters: 125, interval: 100 * time.Millisecond,
		duration: 2 * time.Second, writeRate: 20, idleWrites: 2 * time.Second,
	}
	res, err := h.run(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	printModbus(s, res)
	w := res.writes
	if w == nil {
		t.Fatal("no write figures in the result")
	}
	if len(w.load) == 0 || len(w.idle) == 0 {
		t.Fatalf("writes under load %d, idle %d: want some of each", len(w.load), len(w.idle))
	}
	if w.device != uint64(w.count()) {
		t.Fatalf("the simulator received %d writes; %d were made", w.device, w.count())
	}
	if len(w.loadCmd) != len(w.load) || len(w.idleCmd) != len(w.idle) {
		t.Fatalf("audit log latencies for %d + %d writes; %d + %d were made", len(w.loadCmd), len(w.idleCmd), len(w.load), len(w.idle))
	}
	for _, l := range append(append(latencies(nil), w.load...), w.idle...) {
		if l <= 0 {
			t.Fatalf("a write round trip of %v", l)
		}
	}
}

// TestBenchModbusWriteRefused checks that a write the platform refuses is
// an error of the bench, not a round trip.
func TestBenchModbusWriteRefused(t *testing.T) {
	ctx := context.Background()
	p, err := startModbusPlatform(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stopModbusPlatform(p)
	w, err := newModbusWriter(ctx, p.URL(), "no-such-gateway", 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := w.write(ctx); err == nil {
		t.Fatalf("a write to a missing point succeeded in %v", d)
	}
	if w.last[0] != 0 {
		t.Fatalf("a refused write was recorded as the device's value %d", w.last[0])
	}
}
