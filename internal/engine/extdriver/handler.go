package extdriver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

// handle serves the child's calls to the host.
func (d *Driver) handle(ctx context.Context, method string, params json.RawMessage) (any, error) {
	switch method {
	case wire.MethodSetValues:
		var p wire.SetValuesParams
		if err := wire.DecodeParams(params, &p); err != nil {
			return nil, err
		}
		return nil, d.host.SetValues(d.samples(p.Samples))
	case wire.MethodValue:
		var p wire.ValueParams
		if err := wire.DecodeParams(params, &p); err != nil {
			return nil, err
		}
		return d.value(ctx, p)
	case wire.MethodOnline:
		var p wire.OnlineParams
		if err := wire.DecodeParams(params, &p); err != nil {
			return nil, err
		}
		d.host.Online(p.Online)
		return nil, nil
	case wire.MethodSubscribers:
		var p wire.NameParams
		if err := wire.DecodeParams(params, &p); err != nil {
			return nil, err
		}
		ids, err := d.host.Subscribers(p.Name)
		if err != nil {
			return nil, fmt.Errorf("subscribers of %s: %w", p.Name, err)
		}
		if ids == nil {
			ids = []string{}
		}
		return ids, nil
	case wire.MethodLog:
		var p wire.LogParams
		if err := wire.DecodeParams(params, &p); err != nil {
			return nil, err
		}
		d.log.Log(ctx, logLevel(p.Level), p.Msg)
		return nil, nil
	}
	return nil, driver.Errorf(driver.CodeArgError, "unknown method %q", method)
}

func (d *Driver) value(ctx context.Context, p wire.ValueParams) (wire.Sample, error) {
	src := driver.Source(p.Source)
	switch src {
	case "":
		src = driver.SourceMemory
	case driver.SourceMemory, driver.SourceDevice, driver.SourcePlatform:
	default:
		return wire.Sample{}, driver.Errorf(driver.CodeArgError, "value %s: unknown source %q", p.Name, p.Source)
	}
	s, err := d.host.Value(ctx, p.Name, src)
	if err != nil {
		return wire.Sample{}, fmt.Errorf("value %s: %w", p.Name, err)
	}
	return wire.FromSample(s), nil
}

// samples converts the child's samples, resolving point names to IDs and
// values to each point's type; a value that does not convert becomes a bad
// sample with code 516 rather than a wrong value.
func (d *Driver) samples(in []wire.Sample) []driver.Sample {
	out := make([]driver.Sample, len(in))
	for i, s := range in {
		out[i] = d.sample(s)
	}
	return out
}

func (d *Driver) sample(w wire.Sample) driver.Sample {
	s := wire.ToSample(w)
	if id, ok := d.byName[s.Point]; ok {
		if _, isID := d.points[s.Point]; !isID {
			s.Point = id
		}
	}
	p, ok := d.points[s.Point]
	if !ok || s.Quality == driver.Bad || s.Value == nil {
		return s
	}
	v, err := driver.Convert(p.Type, s.Value)
	if err != nil {
		d.log.Warn("driver reported a value of the wrong type", "point", p.ID, "err", err)
		return driver.Sample{Point: s.Point, TS: s.TS, Quality: driver.Bad, Code: driver.CodeTypeNotValid}
	}
	s.Value = v
	return s
}

func logLevel(l string) slog.Level {
	switch l {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
