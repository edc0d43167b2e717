package outbox

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

// waitTimeout is generous: machines here are shared and slow at times.
const waitTimeout = 60 * time.Second

// makeSamples returns n samples whose T counts up from first, so every
// sample is identifiable after delivery.
func makeSamples(first, n int) []bus.WireSample {
	out := make([]bus.WireSample, n)
	for i := range out {
		ts := int64(first + i)
		out[i] = bus.WireSample{P: "0a0b0c0d.00ff", V: ts * 10, T: ts}
	}
	return out
}

func openT(t testing.TB, dir string, opts Options) *Outbox {
	t.Helper()
	o, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return o
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// runT runs o.Run in the background; the returned stop ends it and checks
// its result.
func runT(t testing.TB, o *Outbox, link bus.EngineLink) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx, link) }()
	return func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// timestampsBySeq lists the delivered samples' T in batch seq order.
func timestampsBySeq(batches []bus.Batch) []int64 {
	sorted := append([]bus.Batch(nil), batches...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	var ts []int64
	for _, b := range sorted {
		for _, s := range b.Samples {
			ts = append(ts, s.T)
		}
	}
	return ts
}

func rowCount(t testing.TB, o *Outbox) int {
	t.Helper()
	var n int
	if err := o.db.QueryRow(`SELECT COUNT(*) FROM batches`).Scan(&n); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return n
}
