package outbox

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestCollectorReadsStats checks each exported metric against Stats while
// the platform is away (a backlog) and after it returns (acknowledged).
func TestCollectorReadsStats(t *testing.T) {
	o := openT(t, t.TempDir(), Options{MaxBatch: 50, FlushInterval: 5e6})
	defer o.Close()
	reg := prometheus.NewRegistry()
	reg.MustRegister(Collector(o))
	link := newFakeLink(false)
	stop := runT(t, o, link)
	defer stop()

	o.Add(makeSamples(0, 120))
	waitFor(t, "a flush", func() bool { return o.Stats().Buffered == 0 && o.Stats().Batches == 3 })
	got := gather(t, reg)
	if got["iotos_outbox_batches"] != 3 || got["iotos_outbox_bytes"] <= 0 || got["iotos_outbox_oldest_age_seconds"] < 0 {
		t.Fatalf("backlog metrics %v", got)
	}
	if got["iotos_outbox_acked_batches_total"] != 0 || got["iotos_outbox_dropped_samples_total"] != 0 {
		t.Fatalf("counters before delivery %v", got)
	}

	link.setUp(true)
	waitFor(t, "delivery", func() bool { return o.Stats().Batches == 0 })
	got = gather(t, reg)
	if got["iotos_outbox_batches"] != 0 || got["iotos_outbox_oldest_age_seconds"] != 0 || got["iotos_outbox_acked_batches_total"] != 3 {
		t.Fatalf("metrics after delivery %v", got)
	}
}

// gather maps each unlabelled metric's name to its value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		out[mf.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
	}
	if len(out) != 5 {
		t.Fatalf("gathered %d metrics, want 5: %v", len(out), out)
	}
	return out
}
