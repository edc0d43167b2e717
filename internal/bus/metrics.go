package bus

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// CountReconnects increments c for every reconnection link signals after
// the first connection, until ctx ends. It consumes link's Reconnected
// channel, so give it a channel of its own (a tee) when others listen too.
// Signals that arrive while one is pending coalesce, so a burst of flaps
// may count once: the counter shows that the link flaps, not how often.
func CountReconnects(ctx context.Context, link EngineLink, c prometheus.Counter) {
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-link.Reconnected():
			if !first {
				c.Inc()
			}
			first = false
		}
	}
}

// NewReconnectsCounter is iotos_bus_reconnects_total.
func NewReconnectsCounter() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{
		Name: "iotos_bus_reconnects_total",
		Help: "Times the engine's link to the platform reconnected after a loss.",
	})
}

// ConnectedGateways counts gateways with at least one live connection.
func (s *Server) ConnectedGateways() int {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for gw := range a.conns {
		a.pruneLocked(gw)
		if len(a.conns[gw]) > 0 {
			n++
		}
	}
	return n
}

// GatewaysCollector returns iotos_gateways_connected, read at scrape time.
func GatewaysCollector(s *Server) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "iotos_gateways_connected",
		Help: "Gateways whose engine is connected to this platform's bus now.",
	}, func() float64 { return float64(s.ConnectedGateways()) })
}
