package engine

import "github.com/prometheus/client_golang/prometheus"

// Device states as iotos_engine_devices labels them.
const (
	stateOnline  = "online"
	stateOffline = "offline"
	statePaused  = "paused"
)

// deviceCollector counts the engine's devices by state at scrape time.
type deviceCollector struct {
	e    *Engine
	desc *prometheus.Desc
}

// Collector returns a Prometheus collector of iotos_engine_devices{state}:
// how many devices are online, offline or paused. It is labelled by state
// only, never by device, so its cardinality stays fixed.
func Collector(e *Engine) prometheus.Collector {
	return &deviceCollector{e: e, desc: prometheus.NewDesc("iotos_engine_devices",
		"Devices of this engine by state.", []string{"state"}, nil)}
}

func (c *deviceCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *deviceCollector) Collect(ch chan<- prometheus.Metric) {
	counts := map[string]int{stateOnline: 0, stateOffline: 0, statePaused: 0}
	c.e.mu.RLock()
	for _, d := range c.e.devices {
		st := d.state()
		switch {
		case st.Paused:
			counts[statePaused]++
		case st.Online:
			counts[stateOnline]++
		default:
			counts[stateOffline]++
		}
	}
	c.e.mu.RUnlock()
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}
