package engine

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// Interface guard.
var _ driver.Host = (*host)(nil)

// host is what one device's driver sees of the engine.
type host struct{ d *device }

// SetValue reports a value the driver received or computed.
func (h *host) SetValue(name string, value any, ts time.Time) error {
	return h.SetValues([]driver.Sample{{Point: name, Value: value, TS: ts, Quality: driver.Good}})
}

// SetValues reports samples; Point is "pt" of this device or "dev.pt" of
// any device of the gateway, by ID or name. Known points are processed even
// when some names do not resolve; the first such error is returned.
func (h *host) SetValues(samples []driver.Sample) error {
	var firstErr error
	byDevice := map[*device][]driver.Sample{}
	var order []*device
	for _, s := range samples {
		d, p, err := h.d.e.resolve(h.d, s.Point)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if _, seen := byDevice[d]; !seen {
			order = append(order, d)
		}
		s.Point = p.drv.ID
		byDevice[d] = append(byDevice[d], s)
	}
	for _, d := range order {
		d.report(byDevice[d])
	}
	return firstErr
}

// Value returns a point's current value from the engine's memory, the
// owning device (a read through its worker) or the platform.
func (h *host) Value(ctx context.Context, name string, src driver.Source) (driver.Sample, error) {
	d, p, err := h.d.e.resolve(h.d, name)
	if err != nil {
		return driver.Sample{}, err
	}
	key := d.key(p)
	switch src {
	case driver.SourceMemory, "":
		s, ok := h.d.e.memory.get(key)
		if !ok {
			return driver.Sample{}, codes.New(codes.ObjectOffline, "point %s has no value yet", key)
		}
		s.Point = key
		return s, nil
	case driver.SourceDevice:
		return h.fromDevice(ctx, d, p)
	case driver.SourcePlatform:
		return h.fromPlatform(ctx, key)
	}
	return driver.Sample{}, codes.New(codes.ArgError, "value source %q: want memory, device or platform", src)
}

// fromDevice reads through the owning worker. A driver asking for its own
// device from inside a call would wait for itself, so that is refused.
func (h *host) fromDevice(ctx context.Context, d *device, p *point) (driver.Sample, error) {
	if d == h.d {
		if w := d.worker(); w != nil && w.busy.Load() {
			return driver.Sample{}, codes.New(codes.ArgError,
				"%s: a driver cannot read its own device synchronously during a call; use memory", d)
		}
	}
	s, err := d.readNow(ctx, p)
	if err != nil {
		return s, err
	}
	s.Point = d.key(p)
	return s, nil
}

func (h *host) fromPlatform(ctx context.Context, key string) (driver.Sample, error) {
	link := h.d.e.opts.Link
	if link == nil {
		return driver.Sample{}, codes.New(codes.NoWebSer, "no platform link")
	}
	got, err := link.Values(ctx, []string{key})
	if err != nil {
		return driver.Sample{}, err
	}
	for _, s := range got {
		if s.ID == h.d.e.opts.Gateway+"."+key || s.ID == key {
			return driver.Sample{Point: key, Value: s.Value, TS: time.UnixMilli(s.TS), Quality: s.Quality, Code: s.Code}, nil
		}
	}
	return driver.Sample{}, codes.New(codes.DataNotExist, "the platform has no value for %s", key)
}

// errReportedOffline is the cause shown when a driver marks its device
// offline itself.
var errReportedOffline = errors.New("the driver reported the device offline")

// Online marks the device online or offline as the driver sees it.
func (h *host) Online(online bool) {
	if online {
		h.d.markOnline()
		return
	}
	h.d.markOffline(int(codes.NetError), errReportedOffline)
}

// Subscribers returns the devices subscribed to a point of this device.
func (h *host) Subscribers(name string) ([]string, error) {
	d, p, err := h.d.e.resolve(h.d, name)
	if err != nil {
		return nil, err
	}
	if d != h.d {
		return nil, codes.New(codes.ArgError, "subscribers of %s: not a point of %s", name, h.d)
	}
	return h.d.e.subscribersOf(d.table.Device.ID, p.drv.ID), nil
}

// Logger is the device's logger.
func (h *host) Logger() *slog.Logger { return h.d.log }
