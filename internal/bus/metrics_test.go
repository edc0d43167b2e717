package bus

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestMetricsFollowConnections counts gateways as they connect and are
// dropped, and counts the reconnection after a drop but not the first
// connection.
func TestMetricsFollowConnections(t *testing.T) {
	s, _ := startPlatform(t, newKeyring(), newFakePlatform())
	gateways := GatewaysCollector(s)
	if v := gaugeOf(t, gateways); v != 0 {
		t.Fatalf("iotos_gateways_connected = %v before any engine", v)
	}
	a := dialEngine(t, s.ClientURL(), gwA, "key-a")
	dialEngine(t, s.ClientURL(), gwB, "key-b")
	waitUntil(t, "two gateways counted", func() bool { return gaugeOf(t, gateways) == 2 })

	reconnects := NewReconnectsCounter()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { CountReconnects(ctx, a, reconnects); close(done) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "the first connection's signal consumed", func() bool { return len(a.reconnected) == 0 })
	if v := counterOf(t, reconnects); v != 0 {
		t.Fatalf("the first connection counted as a reconnect: %v", v)
	}

	s.DisconnectGateway(gwA)
	waitUntil(t, "A reconnects and is counted", func() bool { return counterOf(t, reconnects) == 1 })
	waitUntil(t, "both gateways connected again", func() bool { return gaugeOf(t, gateways) == 2 })
}

func gaugeOf(t *testing.T, c prometheus.Collector) float64 {
	return metricOf(t, c).GetGauge().GetValue()
}

func counterOf(t *testing.T, c prometheus.Collector) float64 {
	return metricOf(t, c).GetCounter().GetValue()
}

func metricOf(t *testing.T, c prometheus.Collector) *dto.Metric {
	t.Helper()
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		t.Fatal(err)
	}
	return &m
}
