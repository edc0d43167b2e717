package platform

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/bus"
)

// newRegistry is the platform's own registry (never the global one), so two
// platforms in one process, as in tests, never collide.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// registerMetrics adds the collectors read at scrape time: connected
// gateways and dropped ingest samples. The ingest counters and lag come
// from app.InstrumentStore, wired where the store is handed to the app.
func (p *Platform) registerMetrics() {
	p.reg.MustRegister(bus.GatewaysCollector(p.bus), app.IngestCollector(p.app))
}

// Metrics is the registry served at /metrics. The demo registers its
// in-process engine's collectors here, so one scrape covers both.
func (p *Platform) Metrics() prometheus.Registerer { return p.reg }
