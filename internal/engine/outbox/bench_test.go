package outbox

import (
	"testing"
	"time"
)

// BenchmarkAppend measures samples made durable per second: Add in groups of
// 100 (one poll's worth) and wait until the last one is committed.
func BenchmarkAppend(b *testing.B) {
	o := openT(b, b.TempDir(), Options{})
	defer o.Close()
	group := makeSamples(0, 100)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for added := 0; added < b.N; added += len(group) {
		o.Add(group)
	}
	if err := o.flush(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "samples/s")
}

// BenchmarkDrain measures how fast a backlog of b.N full batches (2000
// samples each) replays to a link that acknowledges at once.
func BenchmarkDrain(b *testing.B) {
	o := openT(b, b.TempDir(), Options{})
	defer o.Close()
	batches, _ := encodeBatches(makeSamples(0, DefaultMaxBatch), DefaultMaxBatch)
	for range b.N {
		if err := o.appendRows(batches); err != nil {
			b.Fatal(err)
		}
	}
	link := newFakeLink(true)
	b.ResetTimer()
	start := time.Now()
	stop := runT(b, o, link)
	waitFor(b, "drained", func() bool { n, _, _ := o.Backlog(); return n == 0 })
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "batches/s")
	b.ReportMetric(float64(b.N*DefaultMaxBatch)/elapsed.Seconds(), "samples/s")
}
