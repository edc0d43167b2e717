package mqtt

import (
	"context"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// receive handles one message: it decodes the payload once, extracts the
// value of every point the topic feeds, remembers them for Read and pushes
// them with the arrival time. A value that does not convert is pushed as a
// Bad sample with code 516, so a broken publisher shows on the point.
func (m *MQTT) receive(topic string, raw []byte, arrived time.Time) {
	bs := m.routes.match(topic)
	if len(bs) == 0 {
		return
	}
	p := decodePayload(raw)
	samples := make([]driver.Sample, 0, len(bs))
	for _, b := range bs {
		samples = append(samples, m.sample(b, p, topic, arrived))
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	for _, s := range samples {
		m.last[s.Point] = s
	}
	m.mu.Unlock()
	if err := m.host.SetValues(samples); err != nil {
		m.logger().Warn("mqtt: pushing values failed", "topic", topic, "err", err)
	}
}

func (m *MQTT) sample(b *binding, p payload, topic string, arrived time.Time) driver.Sample {
	v, err := b.value(p)
	if err != nil {
		m.logger().Debug("mqtt: payload does not give a value", "point", b.point.ID, "topic", topic, "err", err)
		return driver.Sample{Point: b.point.ID, TS: arrived, Quality: driver.Bad, Code: codeOf(err)}
	}
	return driver.Sample{Point: b.point.ID, Value: v, TS: arrived, Quality: driver.Good}
}

// Read returns the last value each point received. While the broker is
// unreachable a remembered value is Uncertain, since it may be stale. A
// point that has received nothing yet reports its default as Uncertain, or
// is Bad: 504 while disconnected, CodeNoMessage otherwise.
func (m *MQTT) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, driver.Errorf(driver.CodeTimeout, "device %s read: %v", m.devID, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]driver.Sample, 0, len(points))
	for _, p := range points {
		out = append(out, m.lastSample(p))
	}
	return out, nil
}

// lastSample is one point's answer to Read; the caller holds mu.
func (m *MQTT) lastSample(p driver.Point) driver.Sample {
	s, ok := m.last[p.ID]
	if !ok {
		return m.noMessage(p)
	}
	if !m.online && s.Quality == driver.Good {
		s.Quality = driver.Uncertain
	}
	return s
}

func (m *MQTT) noMessage(p driver.Point) driver.Sample {
	if p.Default != nil {
		if v, err := driver.Convert(p.Type, p.Default); err == nil {
			return driver.Sample{Point: p.ID, Value: v, TS: time.Now(), Quality: driver.Uncertain}
		}
	}
	if !m.online {
		return driver.BadSample(p.ID, driver.CodeNetError)
	}
	return driver.BadSample(p.ID, CodeNoMessage)
}
