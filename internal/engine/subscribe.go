package engine

import (
	"context"
	"slices"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

// subscribedTimeout bounds one delivery to a subscriber's driver.
const subscribedTimeout = 5 * time.Second

// publishToSubscribers hands reported samples to the devices that subscribe
// to their points ("dev.pt" or "dev.*"), through those devices' queues. A
// full queue drops the delivery with a warning rather than stalling the
// device that reported the value.
func (e *Engine) publishToSubscribers(wire []bus.WireSample) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if len(e.subs) == 0 {
		return
	}
	for _, ws := range wire {
		dev, _, _ := cutDevice(ws.P)
		for _, d := range e.subs[ws.P] {
			d.deliver(ws)
		}
		for _, d := range e.subs[dev+".*"] {
			d.deliver(ws)
		}
	}
}

// subscribersOf returns the IDs of the devices subscribed to dev.pt, by
// the point or by the whole device, sorted.
func (e *Engine) subscribersOf(dev, pt string) []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var ids []string
	for _, key := range []string{dev + "." + pt, dev + ".*"} {
		for _, d := range e.subs[key] {
			if id := d.table.Device.ID; !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func cutDevice(key string) (dev, pt string, ok bool) {
	for i := 0; i < len(key); i++ {
		if key[i] == '.' {
			return key[:i], key[i+1:], true
		}
	}
	return key, "", false
}

// deliver queues one subscribed sample for this device's driver.
func (d *device) deliver(ws bus.WireSample) {
	w := d.worker()
	if w == nil {
		return
	}
	s := driver.Sample{Point: ws.P, Value: ws.V, TS: time.UnixMilli(ws.T), Quality: ws.Q, Code: ws.C}
	if s.Quality == "" {
		s.Quality = driver.Good
	}
	j := func(w *worker) {
		sub, ok := w.drv.(driver.Subscriber)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), subscribedTimeout)
		defer cancel()
		err := w.guard("Subscribed", func() error { sub.Subscribed(ctx, s.Point, s); return nil })
		if err != nil {
			w.checkLink(err)
		}
	}
	select {
	case w.jobs <- j:
	default:
		d.log.Warn("subscription delivery dropped: queue full", "point", ws.P)
	}
}
