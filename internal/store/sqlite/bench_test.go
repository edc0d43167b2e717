package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

const (
	benchPoints = 1000
	benchBatch  = 1000
)

// benchSamples returns n samples round-robin over benchPoints points, each
// point's timestamps advancing 1 s per round, values drifting like a sensor.
func benchSamples(n int) []model.Sample {
	ids := make([]string, benchPoints)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x.%08x.%04x", 1, i/100, i%100)
	}
	out := make([]model.Sample, n)
	base := int64(1_780_000_000_000)
	for i := range out {
		round := int64(i / benchPoints)
		out[i] = model.Sample{ID: ids[i%benchPoints], Value: 20 + float64(i%97)/10, TS: base + round*1000, Quality: driver.Good}
	}
	return out
}

// BenchmarkIngest stores batches of 1,000 samples over 1,000 points through
// Ingest (dedup key, validation, one transaction per batch). The timer runs
// until compaction has caught up, so the rate is sustainable, not a burst.
func BenchmarkIngest(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), Options{Synchronous: os.Getenv("BENCH_SYNC")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	samples := benchSamples(benchBatch * 64)
	start := time.Now()
	var seq uint64
	for b.Loop() {
		off := int(seq%64) * benchBatch
		seq++
		if _, err := s.Ingest(b.Context(), store.BatchKey{Gateway: "g", Epoch: "bench", Seq: seq}, samples[off:off+benchBatch]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.compactAll(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(seq*benchBatch)/time.Since(start).Seconds(), "samples/s")
}

// BenchmarkRawInsertProbe is the baseline BenchmarkIngest is compared with.
func BenchmarkRawInsertProbe(b *testing.B) {
	samples := benchSamples(benchBatch * 200)
	var total float64
	for i := 0; b.Loop(); i++ {
		d, err := RawInsertProbe(b.Context(), filepath.Join(b.TempDir(), fmt.Sprintf("probe%d.db", i)), samples, benchBatch)
		if err != nil {
			b.Fatal(err)
		}
		total += d.Seconds()
	}
	b.ReportMetric(float64(b.N*len(samples))/total, "samples/s")
}

// BenchmarkQueryHistory reads a 1,000-sample page from the middle of one
// point's history among 1,000 points.
func BenchmarkQueryHistory(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	samples := benchSamples(benchBatch * 2000) // 2,000 samples per point
	for i := 0; i < len(samples); i += benchBatch {
		if _, err := s.Ingest(b.Context(), store.BatchKey{Gateway: "g", Epoch: "q", Seq: uint64(i)}, samples[i:i+benchBatch]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.compactAll(b.Context()); err != nil {
		b.Fatal(err)
	}
	id, from := samples[500].ID, samples[500*benchPoints].TS
	b.ResetTimer()
	for b.Loop() {
		out, truncated, err := s.QueryHistory(b.Context(), store.HistoryQuery{ID: id, From: from, Limit: 1000})
		if err != nil || len(out) != 1000 || !truncated {
			b.Fatalf("got %d samples truncated=%v err=%v", len(out), truncated, err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkIngestParallel is BenchmarkIngest with four concurrent callers,
// as when several gateways deliver at once.
func BenchmarkIngestParallel(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), Options{Synchronous: os.Getenv("BENCH_SYNC")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	samples := benchSamples(benchBatch * 64)
	var seq atomic.Uint64
	start := time.Now()
	b.SetParallelism(2) // 2 × GOMAXPROCS callers
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			off := int(n%64) * benchBatch
			if _, err := s.Ingest(b.Context(), store.BatchKey{Gateway: "g", Epoch: "bench", Seq: n}, samples[off:off+benchBatch]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if err := s.compactAll(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(seq.Load()*benchBatch)/time.Since(start).Seconds(), "samples/s")
}
