package app

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// failingIngest is a store whose Ingest always fails.
type failingIngest struct{ store.Store }

func (failingIngest) Ingest(context.Context, store.BatchKey, []model.Sample) (bool, error) {
	return false, errors.New("disk full")
}

func TestIngestMetricsCountResultsSamplesAndLag(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "iotos.db"))
	t.Cleanup(func() { st.Close() })
	reg := prometheus.NewRegistry()
	a, err := New(Options{Store: InstrumentStore(st, reg), PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	reg.MustRegister(IngestCollector(a))
	f := seed(t, a)
	ts := time.Now().Add(-3 * time.Second).UnixMilli()
	b := bus.Batch{Epoch: "e1", Seq: 1, Samples: []bus.WireSample{
		{P: rel(f.temp), V: 21.5, T: ts},
		{P: rel(f.count), V: float64(3), T: ts},
		{P: f.dev + ".ffff", V: 1.0, T: ts}, // no such point: dropped
	}}
	for range 2 { // the second is a duplicate
		if _, err := a.Batch(context.Background(), f.gw, b); err != nil {
			t.Fatal(err)
		}
	}
	for result, want := range map[string]float64{resultStored: 1, resultDuplicate: 1, resultFailed: 0} {
		if got := gathered(t, reg, "iotos_ingest_batches_total", result).GetCounter().GetValue(); got != want {
			t.Errorf("iotos_ingest_batches_total{result=%q} = %v, want %v", result, got, want)
		}
	}
	if got := gathered(t, reg, "iotos_ingest_samples_total", "").GetCounter().GetValue(); got != 2 {
		t.Errorf("iotos_ingest_samples_total = %v, want 2", got)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "iotos_ingest_lag_seconds":
			h := mf.GetMetric()[0].GetHistogram()
			if h.GetSampleCount() != 2 || h.GetSampleSum() < 6 || h.GetSampleSum() > 60 {
				t.Errorf("lag: %d samples summing to %v s, want 2 of about 3 s", h.GetSampleCount(), h.GetSampleSum())
			}
		case "iotos_ingest_dropped_samples_total":
			if v := mf.GetMetric()[0].GetCounter().GetValue(); v != 1 {
				t.Errorf("iotos_ingest_dropped_samples_total = %v, want 1", v)
			}
		}
	}
}

func TestIngestMetricsCountFailures(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := InstrumentStore(failingIngest{}, reg)
	if _, err := s.Ingest(context.Background(), store.BatchKey{Gateway: "g", Epoch: "e", Seq: 1}, []model.Sample{{TS: 1}}); err == nil {
		t.Fatal("Ingest did not fail")
	}
	if got := gathered(t, reg, "iotos_ingest_batches_total", resultFailed).GetCounter().GetValue(); got != 1 {
		t.Errorf("failed batches = %v, want 1", got)
	}
	if got := gathered(t, reg, "iotos_ingest_samples_total", "").GetCounter().GetValue(); got != 0 {
		t.Errorf("samples of a failed batch counted: %v", got)
	}
}

// gathered finds one series of name in reg; label is the value of its only
// label, or "" for an unlabelled metric.
func gathered(t *testing.T, reg *prometheus.Registry, name, label string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label) {
				return m
			}
		}
	}
	t.Fatalf("metric %s{%s} not gathered", name, label)
	return nil
}
