package shim

import (
	"context"
	"encoding/json"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

func (s *server) init(params json.RawMessage) error {
	var p wire.InitParams
	if err := wire.DecodeParams(params, &p); err != nil {
		return err
	}
	dev := wire.ToDevice(p.Device)
	s.points = make(map[string]driver.Point, len(dev.Points))
	for _, pt := range dev.Points {
		s.points[pt.ID] = pt
	}
	return s.drv.Init(s.host, dev)
}

// point finds a point the host named; an unknown one is code 111.
func (s *server) point(id string) (driver.Point, error) {
	p, ok := s.points[id]
	if !ok {
		return p, driver.Errorf(111, "point %s is not on this device", id)
	}
	return p, nil
}

func (s *server) read(ctx context.Context, params json.RawMessage) ([]wire.Sample, error) {
	var p wire.ReadParams
	if err := wire.DecodeParams(params, &p); err != nil {
		return nil, err
	}
	pts := make([]driver.Point, 0, len(p.Points))
	for _, id := range p.Points {
		pt, err := s.point(id)
		if err != nil {
			return nil, err
		}
		pts = append(pts, pt)
	}
	samples, err := s.drv.Read(ctx, pts)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Sample, len(samples))
	for i, smp := range samples {
		out[i] = wire.FromSample(smp)
	}
	return out, nil
}

func (s *server) write(ctx context.Context, params json.RawMessage) (wire.Result, error) {
	w, ok := s.drv.(driver.Writer)
	if !ok {
		return wire.Result{}, driver.Errorf(driver.CodeArgError, "driver does not write")
	}
	var p wire.WriteParams
	if err := wire.DecodeParams(params, &p); err != nil {
		return wire.Result{}, err
	}
	pt, err := s.point(p.Point)
	if err != nil {
		return wire.Result{}, err
	}
	v, err := driver.Convert(pt.Type, wire.NormalizeValue(p.Value))
	if err != nil {
		return wire.Result{}, err
	}
	res, err := w.Write(ctx, pt, v)
	return wire.FromResult(res), err
}

func (s *server) readNow(ctx context.Context, params json.RawMessage) (wire.Sample, error) {
	r, ok := s.drv.(driver.ReadNower)
	if !ok {
		return wire.Sample{}, driver.Errorf(driver.CodeArgError, "driver does not read on demand")
	}
	var p wire.PointParams
	if err := wire.DecodeParams(params, &p); err != nil {
		return wire.Sample{}, err
	}
	pt, err := s.point(p.Point)
	if err != nil {
		return wire.Sample{}, err
	}
	smp, err := r.ReadNow(ctx, pt)
	return wire.FromSample(smp), err
}

func (s *server) broadcast(ctx context.Context, params json.RawMessage) (wire.Result, error) {
	b, ok := s.drv.(driver.Broadcaster)
	if !ok {
		return wire.Result{}, driver.Errorf(driver.CodeArgError, "driver takes no broadcasts")
	}
	var p wire.BroadcastParams
	if err := wire.DecodeParams(params, &p); err != nil {
		return wire.Result{}, err
	}
	res, err := b.Broadcast(ctx, driver.Message{From: p.From, Type: p.Type, Data: p.Data})
	return wire.FromResult(res), err
}

// subscribed queues a subscribed value for the driver. It must not wait
// for the driver here: this runs on the reading goroutine, and a driver
// whose Read is waiting on Host.Value needs that goroutine to get its reply.
func (s *server) subscribed(params json.RawMessage) error {
	if _, ok := s.drv.(driver.Subscriber); !ok {
		return nil
	}
	var p wire.SubscribedParams
	if err := wire.DecodeParams(params, &p); err != nil {
		return err
	}
	select {
	case s.subs <- p:
	default:
		s.host.Logger().Warn("subscribed value dropped: the driver is not keeping up", "point", p.Point)
	}
	return nil
}

// deliverSubscribed hands queued values to the driver, one call at a time
// like every other call.
func (s *server) deliverSubscribed(ctx context.Context) {
	sub := s.drv.(driver.Subscriber)
	for {
		select {
		case p := <-s.subs:
			s.mu.Lock()
			if !s.closed {
				sub.Subscribed(ctx, p.Point, wire.ToSample(p.Sample))
			}
			s.mu.Unlock()
		case <-ctx.Done():
			return
		}
	}
}
