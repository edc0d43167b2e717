package outbox

import "github.com/prometheus/client_golang/prometheus"

// collector exports an outbox's Stats at scrape time, so the write and send
// paths pay nothing for metrics.
type collector struct {
	o                                    *Outbox
	bytes, batches, oldest, dropped, ack *prometheus.Desc
}

// Collector returns a Prometheus collector of o's backlog and counters:
// iotos_outbox_bytes, iotos_outbox_batches, iotos_outbox_oldest_age_seconds,
// iotos_outbox_dropped_samples_total and iotos_outbox_acked_batches_total.
// The counters count since o was opened, except dropped, which the outbox
// keeps across restarts (it is what was lost, ever).
func Collector(o *Outbox) prometheus.Collector {
	return &collector{
		o:       o,
		bytes:   prometheus.NewDesc("iotos_outbox_bytes", "Disk bytes of the outbox (database and WAL).", nil, nil),
		batches: prometheus.NewDesc("iotos_outbox_batches", "Batches waiting for the platform's acknowledgement.", nil, nil),
		oldest:  prometheus.NewDesc("iotos_outbox_oldest_age_seconds", "Age of the oldest unacknowledged batch; 0 when empty.", nil, nil),
		dropped: prometheus.NewDesc("iotos_outbox_dropped_samples_total", "Samples dropped by the disk cap or back-pressure.", nil, nil),
		ack:     prometheus.NewDesc("iotos_outbox_acked_batches_total", "Batches the platform acknowledged (duplicates included).", nil, nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.bytes, c.batches, c.oldest, c.dropped, c.ack} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.o.Stats()
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(s.DiskBytes))
	ch <- prometheus.MustNewConstMetric(c.batches, prometheus.GaugeValue, float64(s.Batches))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, s.OldestAge.Seconds())
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(s.Dropped))
	ch <- prometheus.MustNewConstMetric(c.ack, prometheus.CounterValue, float64(s.Acked))
}
