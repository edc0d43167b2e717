package main

import (
	"context"
	"testing"
	"time"
)

// The sustain bench offers its schedule and every batch it sent is stored
// and counted once, whatever the verdict on this machine.
func TestBenchSustainCountsEverySample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a platform")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := &ingestBench{devices: 2, points: 50, batch: 500, window: 4, duration: 2 * time.Second, dir: t.TempDir()}
	if err := b.start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.stop()
	s := newSustainRun(b, 10000, time.Second)
	if err := s.run(ctx); err != nil {
		t.Fatal(err)
	}
	var counted int64
	for _, iv := range s.intervals {
		counted += iv.samples
	}
	sent := int64(b.seq.Load()) * int64(b.batch)
	stored := b.p.App().IngestStats().Samples
	if sent == 0 || counted != sent || stored != sent {
		t.Fatalf("sent %d samples, the intervals counted %d, the platform stored %d", sent, counted, stored)
	}
	if len(s.allLag) != int(b.seq.Load()) {
		t.Fatalf("%d lags for %d batches", len(s.allLag), b.seq.Load())
	}
}
