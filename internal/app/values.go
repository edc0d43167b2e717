package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// Sources of a value read.
const (
	SourcePlatform = "platform"
	SourceDevice   = "device"
)

// CurrentValues returns the current samples of the given full IDs, in order. A
// point that has never reported gets an uncertain sample without a value;
// an ID that does not parse is 111.
func (a *App) CurrentValues(ctx context.Context, ids []string) ([]model.Sample, error) {
	out := make([]model.Sample, 0, len(ids))
	for _, id := range ids {
		if _, err := model.ParseFullID(id); err != nil {
			return nil, err
		}
		out = append(out, a.cached(id))
	}
	return out, nil
}

func (a *App) cached(id string) model.Sample {
	if s, ok := a.cache.get(id); ok {
		return s
	}
	return model.Sample{ID: id, Quality: driver.Uncertain}
}

// ValuesOf returns the current samples of every point of a gateway, or of
// one device when dev is given, in table order.
func (a *App) ValuesOf(ctx context.Context, gw, dev string) ([]model.Sample, error) {
	if dev != "" {
		return a.deviceValues(ctx, gw, dev)
	}
	t, err := a.store.GetTable(ctx, gw)
	if err != nil {
		return nil, err
	}
	out := []model.Sample{}
	found := dev == ""
	for _, dt := range t.Devices {
		if dev != "" && dt.Device.ID != dev {
			continue
		}
		found = true
		for _, p := range dt.Points {
			out = append(out, a.cached(p.FullID()))
		}
	}
	if !found {
		return nil, codes.New(codes.DeviceNotExist, "device %s.%s does not exist", gw, dev)
	}
	return out, nil
}

// deviceValues reads only the device's points, not the gateway's table.
func (a *App) deviceValues(ctx context.Context, gw, dev string) ([]model.Sample, error) {
	if _, err := a.store.GetDevice(ctx, gw, dev); err != nil {
		return nil, err
	}
	points, err := a.store.ListPoints(ctx, gw, dev)
	if err != nil {
		return nil, err
	}
	out := make([]model.Sample, 0, len(points))
	for _, p := range points {
		out = append(out, a.cached(p.FullID()))
	}
	return out, nil
}

// ReadValue returns one point's current sample: from the last-value cache
// (source platform, the default) or read through the driver (source device).
func (a *App) ReadValue(ctx context.Context, full, source string, timeout time.Duration) (model.Sample, error) {
	p, err := a.lookupPoint(ctx, full)
	if err != nil {
		return model.Sample{}, err
	}
	switch source {
	case "", SourcePlatform:
		return a.cached(full), nil
	case SourceDevice:
		return a.readDevice(ctx, p, timeout)
	}
	return model.Sample{}, codes.New(codes.ArgError, "source %q is not platform or device", source)
}

func (a *App) readDevice(ctx context.Context, p model.Point, timeout time.Duration) (model.Sample, error) {
	if err := model.CheckReadable(p); err != nil {
		return model.Sample{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, commandTimeout(timeout))
	defer cancel()
	cmd := bus.ReadCmd{Point: p.Device + "." + p.ID, TimeoutMS: remainingMS(ctx)}
	r, err := a.command(ctx, p.Gateway, bus.KindRead, cmd)
	if err != nil {
		return model.Sample{}, err
	}
	if err := r.Err(); err != nil {
		return model.Sample{}, err
	}
	var s model.Sample
	if err := json.Unmarshal(r.Data, &s); err != nil {
		return model.Sample{}, codes.New(codes.RuleNotRecognized, "point %s: engine read reply: %v", p.FullID(), err)
	}
	s.ID = p.FullID()
	if s.Value != nil {
		if v, err := driver.Convert(p.Type, s.Value); err == nil {
			s.Value = v
		}
	}
	return s, nil
}

// engineValues serves an engine's request for current values ("dev.pt").
func (a *App) engineValues(gw string, ids []string) []model.Sample {
	out := make([]model.Sample, 0, len(ids))
	for _, id := range ids {
		out = append(out, a.cached(gw+"."+id))
	}
	return out
}
