package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// Ingest results as iotos_ingest_batches_total labels them.
const (
	resultStored    = "stored"
	resultDuplicate = "duplicate"
	resultFailed    = "failed"
)

// ingestMetrics are the platform's ingest counters and lag histogram.
type ingestMetrics struct {
	batches *prometheus.CounterVec
	samples prometheus.Counter
	lag     prometheus.Histogram
}

// meteredStore observes every Ingest of the store it wraps: the outcome of
// each batch, how many samples were stored and how old they were at commit.
// Wrapping the store, rather than counting inside the use case, measures
// the commit itself: a failed or duplicate write adds no samples and no lag.
type meteredStore struct {
	store.Store
	m   *ingestMetrics
	now func() time.Time
}

// InstrumentStore wraps s so that ingest registers its metrics with reg:
// iotos_ingest_batches_total{result=stored|duplicate|failed},
// iotos_ingest_samples_total and iotos_ingest_lag_seconds (now − sample
// timestamp at commit). Pass the result to Options.Store, then register
// IngestCollector for the dropped-samples counter.
func InstrumentStore(s store.Store, reg prometheus.Registerer) store.Store {
	m := &ingestMetrics{
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iotos_ingest_batches_total",
			Help: "Engine batches ingested, by result.",
		}, []string{"result"}),
		samples: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "iotos_ingest_samples_total",
			Help: "Samples stored in history from engine batches.",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "iotos_ingest_lag_seconds",
			Help:    "Time from a sample's timestamp to its commit in history.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10), // 10 ms … ~43 min
		}),
	}
	for _, r := range []string{resultStored, resultDuplicate, resultFailed} {
		m.batches.WithLabelValues(r) // export zeros, so rates work from the start
	}
	reg.MustRegister(m.batches, m.samples, m.lag)
	return &meteredStore{Store: s, m: m, now: time.Now}
}

// Ingest stores the batch and records its outcome.
func (s *meteredStore) Ingest(ctx context.Context, key store.BatchKey, samples []model.Sample) (bool, error) {
	dup, err := s.Store.Ingest(ctx, key, samples)
	switch {
	case err != nil:
		s.m.batches.WithLabelValues(resultFailed).Inc()
	case dup:
		s.m.batches.WithLabelValues(resultDuplicate).Inc()
	default:
		s.m.batches.WithLabelValues(resultStored).Inc()
		s.m.samples.Add(float64(len(samples)))
		now := s.now().UnixMilli()
		for _, smp := range samples {
			s.m.lag.Observe(float64(now-smp.TS) / 1000)
		}
	}
	return dup, err
}

// IngestCollector returns iotos_ingest_dropped_samples_total: samples of
// points their gateway no longer has, dropped rather than left to block
// the engine's outbox.
func IngestCollector(a *App) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "iotos_ingest_dropped_samples_total",
		Help: "Engine samples dropped because their point does not exist.",
	}, func() float64 { return float64(a.IngestStats().Dropped) })
}
