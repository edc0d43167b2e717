package postgres_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/internal/store/postgres"
	"github.com/iotos/iotos/internal/store/sqlite"
	"github.com/iotos/iotos/pkg/driver"
)

// The same shape as the SQLite store's benchmarks: batches of 1,000
// samples over 1,000 points.
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

// benchIngest drives Ingest of s with callers concurrent callers and
// reports samples/s. Every batch is committed when Ingest returns.
func benchIngest(b *testing.B, s store.Store, parallel bool) {
	samples := benchSamples(benchBatch * 64)
	var seq atomic.Uint64
	one := func() error {
		n := seq.Add(1)
		off := int(n%64) * benchBatch
		_, err := s.Ingest(b.Context(), store.BatchKey{Gateway: "g", Epoch: "bench", Seq: n}, samples[off:off+benchBatch])
		return err
	}
	start := time.Now()
	if parallel {
		b.SetParallelism(2) // 2 × GOMAXPROCS callers, as when several gateways deliver at once
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := one(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for b.Loop() {
			if err := one(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(seq.Load()*benchBatch)/time.Since(start).Seconds(), "samples/s")
}

func openBenchPostgres(b *testing.B) store.Store {
	s, err := postgres.Open(b.Context(), freshURL(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// openBenchSQLite is the baseline: the default store on a temp file, with
// synchronous OFF to match the test server's fsync=off.
func openBenchSQLite(b *testing.B) store.Store {
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkIngest compares PostgreSQL with the SQLite baseline in one run:
// go test -run '^$' -bench Ingest ./internal/store/postgres/
func BenchmarkIngest(b *testing.B) {
	b.Run("postgres", func(b *testing.B) { benchIngest(b, openBenchPostgres(b), false) })
	b.Run("sqlite", func(b *testing.B) { benchIngest(b, openBenchSQLite(b), false) })
}

func BenchmarkIngestParallel(b *testing.B) {
	b.Run("postgres", func(b *testing.B) { benchIngest(b, openBenchPostgres(b), true) })
	b.Run("sqlite", func(b *testing.B) { benchIngest(b, openBenchSQLite(b), true) })
}

// BenchmarkQueryHistory reads a 1,000-sample page from the middle of one
// point's history among 1,000 points.
func BenchmarkQueryHistory(b *testing.B) {
	s := openBenchPostgres(b)
	samples := benchSamples(benchBatch * 500) // 500 samples per point
	for i := 0; i < len(samples); i += benchBatch {
		if _, err := s.Ingest(b.Context(), store.BatchKey{Gateway: "g", Epoch: "q", Seq: uint64(i)}, samples[i:i+benchBatch]); err != nil {
			b.Fatal(err)
		}
	}
	id, from := samples[500].ID, samples[100*benchPoints].TS
	b.ResetTimer()
	for b.Loop() {
		out, truncated, err := s.QueryHistory(b.Context(), store.HistoryQuery{ID: id, From: from, Limit: 300})
		if err != nil || len(out) != 300 || !truncated {
			b.Fatalf("got %d samples truncated=%v err=%v", len(out), truncated, err)
		}
	}
	b.ReportMetric(float64(b.N*300)/b.Elapsed().Seconds(), "samples/s")
}
