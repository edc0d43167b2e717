package mqtt

import (
	"context"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// Write publishes the value to the point's write_topic. The result is
// success once the broker has acknowledged the message (QoS 1 and 2) or it
// has been sent (QoS 0).
//
// A readable point then reads back the written value as Uncertain until a
// message on its own topic confirms or replaces it: the write is known to
// have reached the broker, not the device.
func (m *MQTT) Write(ctx context.Context, p driver.Point, value any) (driver.Result, error) {
	b, ok := m.bindings[p.ID]
	if !ok || b.writeTopic == "" {
		return driver.Result{}, driver.Errorf(codePropertyNotValid, "device %s point %s has no write_topic", m.devID, p.ID)
	}
	payload, err := b.render(value)
	if err != nil {
		return driver.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return driver.Result{}, driver.Errorf(driver.CodeTimeout, "device %s write %s: %v", m.devID, p.ID, err)
	}
	if m.sess == nil {
		return driver.Result{}, driver.Errorf(driver.CodeNetError, "device %s write %s: not connected", m.devID, p.ID)
	}
	if err := m.sess.publish(ctx, b.writeTopic, payload); err != nil {
		return driver.Result{}, driver.Errorf(codeOf(err), "device %s write %s: %s", m.devID, p.ID, errMsg(err))
	}
	m.rememberWritten(b, value)
	return driver.OK(map[string]any{"topic": b.writeTopic}), nil
}

func (m *MQTT) rememberWritten(b *binding, value any) {
	if b.filter == "" {
		return
	}
	v, err := driver.Convert(b.point.Type, value)
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last[b.point.ID] = driver.Sample{Point: b.point.ID, Value: v, TS: time.Now(), Quality: driver.Uncertain}
}
