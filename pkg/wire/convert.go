package wire

import (
	"encoding/json"
	"math"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// FromDevice converts a driver.Device to its wire form.
func FromDevice(d driver.Device) Device {
	out := Device{Gateway: d.Gateway, ID: d.ID, Name: d.Name, Driver: d.Driver,
		Config: d.Config, Subscribe: d.Subscribe, Points: make([]Point, len(d.Points))}
	for i, p := range d.Points {
		out.Points[i] = FromPoint(p)
	}
	return out
}

// FromPoint converts a driver.Point to its wire form.
func FromPoint(p driver.Point) Point {
	w := Point{ID: p.ID, Name: p.Name, Type: string(p.Type), Access: string(p.Access), Unit: p.Unit,
		IntervalMS: p.Interval.Milliseconds(), Min: p.Min, Max: p.Max, Pattern: p.Pattern,
		Default: p.Default, Config: p.Config}
	if p.Proxy != nil {
		w.Proxy = &Proxy{Pointer: p.Proxy.Pointer, Index: p.Proxy.Index}
	}
	return w
}

// ToDevice converts a wire Device back to a driver.Device.
func ToDevice(d Device) driver.Device {
	out := driver.Device{Gateway: d.Gateway, ID: d.ID, Name: d.Name, Driver: d.Driver,
		Config: d.Config, Subscribe: d.Subscribe, Points: make([]driver.Point, len(d.Points))}
	for i, p := range d.Points {
		out.Points[i] = ToPoint(p)
	}
	return out
}

// ToPoint converts a wire Point back to a driver.Point.
func ToPoint(p Point) driver.Point {
	d := driver.Point{ID: p.ID, Name: p.Name, Type: driver.Type(p.Type), Access: driver.Access(p.Access),
		Unit: p.Unit, Interval: time.Duration(p.IntervalMS) * time.Millisecond, Min: p.Min, Max: p.Max,
		Pattern: p.Pattern, Default: NormalizeValue(p.Default), Config: p.Config}
	if p.Proxy != nil {
		d.Proxy = &driver.Proxy{Pointer: p.Proxy.Pointer, Index: p.Proxy.Index}
	}
	return d
}

// FromSample converts a driver.Sample to its wire form.
func FromSample(s driver.Sample) Sample {
	w := Sample{Point: s.Point, Value: s.Value, Quality: string(s.Quality), Code: s.Code}
	if !s.TS.IsZero() {
		w.TS = s.TS.UnixMilli()
	}
	if s.Quality == driver.Good {
		w.Quality = ""
	}
	return w
}

// ToSample converts a wire Sample to a driver.Sample. A zero TS becomes now
// (the time the host received it), an empty quality becomes good.
func ToSample(s Sample) driver.Sample {
	d := driver.Sample{Point: s.Point, Value: NormalizeValue(s.Value), Quality: driver.Quality(s.Quality), Code: s.Code}
	if d.Quality == "" {
		d.Quality = driver.Good
	}
	if s.TS > 0 {
		d.TS = time.UnixMilli(s.TS)
	} else {
		d.TS = time.Now()
	}
	return d
}

// ToSamples converts a batch of wire samples.
func ToSamples(in []Sample) []driver.Sample {
	out := make([]driver.Sample, len(in))
	for i, s := range in {
		out[i] = ToSample(s)
	}
	return out
}

// NormalizeValue turns a decoded JSON value into the SDK's representation:
// integral numbers become int64 and others float64, so an INT point's value
// is not silently a float.
func NormalizeValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	}
	return v
}

// ToResult converts a wire Result to a driver.Result.
func ToResult(r Result) driver.Result {
	return driver.Result{Code: r.Code, Msg: r.Msg, Data: r.Data}
}

// FromResult converts a driver.Result to its wire form.
func FromResult(r driver.Result) Result { return Result{Code: r.Code, Msg: r.Msg, Data: r.Data} }
