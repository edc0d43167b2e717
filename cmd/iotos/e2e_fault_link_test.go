package main

import (
	"testing"
	"time"
)

// TestCutLinkLosesNothing runs the engine through a TCP proxy to the
// platform's NATS port and cuts the link (connections reset, port closed)
// and holds it (connections open, no byte moving) several times while the
// counter is polled every 10 ms. History must end up one gapless run of
// the counter with every sample once, and the engine's metrics must show
// the reconnections and the acknowledgements. CI cuts 3 times;
// IOTOS_LONG_TESTS=1, 10 times with longer outages.
func TestCutLinkLosesNothing(t *testing.T) {
	r := newFaultRig(t, counterTB)
	cuts, outage := 3, 1500*time.Millisecond
	if longTests() {
		cuts, outage = 10, 5*time.Second
	}
	proxy := startProxy(t, r.nats)
	metrics := "http://" + freeAddr(t)
	eng := r.engine(t, proxy.addr, t.TempDir(), "--metrics", metrics[len("http://"):])
	r.waitHistoryPast(t, time.Now().UnixMilli(), 30*time.Second)
	for i := range cuts {
		if i%2 == 0 {
			proxy.cut()
			time.Sleep(outage)
			proxy.restore()
		} else {
			proxy.hold()
			time.Sleep(outage)
			proxy.release()
		}
		r.waitHistoryPast(t, time.Now().UnixMilli(), 60*time.Second)
	}
	h := r.waitHistoryPast(t, time.Now().UnixMilli()+500, 60*time.Second)
	checkRuns(t, h, 1)
	if n := scrape(t, metrics+"/metrics", "iotos_bus_reconnects_total"); n < 1 {
		t.Errorf("iotos_bus_reconnects_total = %v after %d cuts", n, cuts)
	}
	if n := scrape(t, metrics+"/metrics", "iotos_outbox_acked_batches_total"); n < 1 {
		t.Errorf("iotos_outbox_acked_batches_total = %v", n)
	}
	if n := scrape(t, metrics+"/metrics", "iotos_outbox_dropped_samples_total"); n != 0 {
		t.Errorf("iotos_outbox_dropped_samples_total = %v with no cap reached", n)
	}
	if n := scrape(t, metrics+"/metrics", `iotos_engine_devices{state="online"}`); n != 1 {
		t.Errorf(`iotos_engine_devices{state="online"} = %v, want 1`, n)
	}
	platform := r.c.base + "/metrics"
	if n := scrape(t, platform, `iotos_ingest_batches_total{result="stored"}`); n < 1 {
		t.Errorf(`platform iotos_ingest_batches_total{result="stored"} = %v`, n)
	}
	if n := scrape(t, platform, "iotos_ingest_samples_total"); n < float64(len(h)) {
		t.Errorf("platform iotos_ingest_samples_total = %v, history has %d", n, len(h))
	}
	if n := scrape(t, platform, "iotos_ingest_lag_seconds_count"); n < float64(len(h)) {
		t.Errorf("platform iotos_ingest_lag_seconds_count = %v, history has %d", n, len(h))
	}
	if n := scrape(t, platform, "iotos_gateways_connected"); n != 1 {
		t.Errorf("platform iotos_gateways_connected = %v, want 1", n)
	}
	stopGracefully(t, eng, metrics)
	eventually(t, 30*time.Second, "the platform to see the engine gone", func() bool {
		return scrape(t, platform, "iotos_gateways_connected") == 0
	})
	t.Logf("%d cuts of %v: %d samples, %v..%v", cuts, outage, len(h), h[0].Value, h[len(h)-1].Value)
}
