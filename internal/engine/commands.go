package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// Interface guard.
var _ bus.EngineHandler = (*Engine)(nil)

// Write writes one point through its device's driver. The checks run in
// the platform's order (existence, access, type, range); the reply is the
// driver's own result, code, message and data unchanged.
func (e *Engine) Write(ctx context.Context, cmd bus.WriteCmd) bus.Reply {
	d, p, err := e.resolve(nil, cmd.Point)
	if err != nil {
		return bus.ReplyOf(nil, err)
	}
	if err := model.CheckWritable(p.checks()); err != nil {
		return bus.ReplyOf(nil, err)
	}
	v, err := model.CheckValue(p.checks(), cmd.Value)
	if err != nil {
		return bus.ReplyOf(nil, err)
	}
	res, err := d.call(ctx, true, func(ctx context.Context, w *worker) (any, error) {
		return w.write(ctx, p, v)
	})
	if err != nil {
		return bus.ReplyOf(nil, fmt.Errorf("write %s: %w", cmd.Point, err))
	}
	return resultReply(res.(driver.Result))
}

// write runs in the worker.
func (w *worker) write(ctx context.Context, p *point, v any) (driver.Result, error) {
	wr, ok := w.drv.(driver.Writer)
	if !ok {
		return driver.Result{}, codes.New(codes.PropertyNotValid, "driver %s cannot write", w.d.table.Device.Driver)
	}
	var res driver.Result
	err := w.guard("Write", func() (err error) {
		res, err = wr.Write(ctx, *p.drv, v)
		return err
	})
	if err != nil {
		w.checkLink(err)
		return res, err
	}
	w.d.log.Info("point written", "point", p.drv.ID, "value", v, "code", res.Code)
	return res, nil
}

// resultReply passes a driver's result on as it is.
func resultReply(r driver.Result) bus.Reply {
	out := bus.Reply{Code: codes.Code(r.Code), Msg: r.Msg}
	if r.Data != nil {
		raw, err := json.Marshal(r.Data)
		if err != nil {
			return bus.ReplyOf(nil, codes.New(codes.RuleNotRecognized, "driver result data does not encode: %v", err))
		}
		out.Data = raw
	}
	return out
}

// Read reads one point through its driver now.
func (e *Engine) Read(ctx context.Context, cmd bus.ReadCmd) bus.Reply {
	d, p, err := e.resolve(nil, cmd.Point)
	if err != nil {
		return bus.ReplyOf(nil, err)
	}
	if err := model.CheckReadable(p.checks()); err != nil {
		return bus.ReplyOf(nil, err)
	}
	s, err := d.readNow(ctx, p)
	if err != nil {
		return bus.ReplyOf(nil, fmt.Errorf("read %s: %w", cmd.Point, err))
	}
	return bus.ReplyOf(e.modelSample(d.key(p), s), nil)
}

func (e *Engine) modelSample(key string, s driver.Sample) model.Sample {
	return model.Sample{ID: e.opts.Gateway + "." + key, Value: s.Value, TS: s.TS.UnixMilli(), Quality: s.Quality, Code: s.Code}
}

// readNow reads one point through the device's worker (ReadNow, or a Read
// of that point alone) and runs it through the pipeline.
func (d *device) readNow(ctx context.Context, p *point) (driver.Sample, error) {
	v, err := d.call(ctx, true, func(ctx context.Context, w *worker) (any, error) {
		return w.readOne(ctx, p)
	})
	if err != nil {
		return driver.Sample{}, err
	}
	return v.(driver.Sample), nil
}

func (w *worker) readOne(ctx context.Context, p *point) (driver.Sample, error) {
	var s driver.Sample
	err := w.guard("ReadNow", func() error {
		if rn, ok := w.drv.(driver.ReadNower); ok {
			var err error
			s, err = rn.ReadNow(ctx, *p.drv)
			return err
		}
		ss, err := w.drv.Read(ctx, []driver.Point{*p.drv})
		if err != nil {
			return err
		}
		for _, x := range ss {
			if x.Point == p.drv.ID {
				s = x
				return nil
			}
		}
		return codes.New(codes.NetError, "driver returned no sample for point %s", p.drv.ID)
	})
	if err != nil {
		w.checkLink(err)
		return s, err
	}
	s.Point = p.drv.ID
	return w.d.process([]driver.Sample{s})[0], nil
}

// Broadcast sends a message to every running device whose driver accepts
// broadcasts, in parallel; Data maps device ID → that driver's reply.
func (e *Engine) Broadcast(ctx context.Context, cmd bus.BroadcastCmd) bus.Reply {
	var targets []*device
	e.mu.RLock()
	for _, d := range e.devices {
		if w := d.worker(); w != nil && w.broadcaster.Load() {
			targets = append(targets, d)
		}
	}
	e.mu.RUnlock()
	replies := make(map[string]bus.Reply, len(targets))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, d := range targets {
		wg.Go(func() {
			r := d.broadcast(ctx, cmd)
			mu.Lock()
			replies[d.table.Device.ID] = r
			mu.Unlock()
		})
	}
	wg.Wait()
	return bus.ReplyOf(replies, nil)
}

func (d *device) broadcast(ctx context.Context, cmd bus.BroadcastCmd) bus.Reply {
	v, err := d.call(ctx, true, func(ctx context.Context, w *worker) (any, error) {
		b, ok := w.drv.(driver.Broadcaster)
		if !ok {
			return nil, codes.New(codes.PropertyNotValid, "driver %s takes no broadcasts", d.table.Device.Driver)
		}
		var res driver.Result
		err := w.guard("Broadcast", func() (err error) {
			res, err = b.Broadcast(ctx, driver.Message{From: cmd.From, Type: cmd.Type, Data: cmd.Data})
			return err
		})
		if err != nil {
			w.checkLink(err)
		}
		return res, err
	})
	if err != nil {
		return bus.ReplyOf(nil, err)
	}
	return resultReply(v.(driver.Result))
}

// Collect pauses, resumes or resets a device's collection.
func (e *Engine) Collect(ctx context.Context, cmd bus.CollectCmd) bus.Reply {
	d := e.device(cmd.Device)
	if d == nil {
		return bus.ReplyOf(nil, codes.New(codes.DeviceNotExist, "device %q does not exist", cmd.Device))
	}
	var action func(w *worker)
	switch cmd.Action {
	case "pause":
		action = func(w *worker) { w.paused = true; d.setPaused(true) }
	case "resume":
		action = func(w *worker) { w.paused = false; d.setPaused(false); w.schedulePolls() }
	case "reset":
		action = func(w *worker) { w.retry.reset(); w.restart(0); w.failures = 0 }
	default:
		return bus.ReplyOf(nil, codes.New(codes.ArgError, "collect action %q: want pause, resume or reset", cmd.Action))
	}
	_, err := d.call(ctx, false, func(_ context.Context, w *worker) (any, error) {
		action(w)
		return nil, nil
	})
	if err == nil {
		d.log.Info("collection control", "action", cmd.Action)
	}
	return bus.ReplyOf(nil, err)
}

// device finds a device by ID or name.
func (e *Engine) device(name string) *device {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if d, ok := e.devices[name]; ok {
		return d
	}
	if id, ok := e.names[name]; ok {
		return e.devices[id]
	}
	return nil
}

// resolve finds a point from "dev.pt" (IDs or names), or from "pt" relative
// to self. Malformed is 111, an unknown device 109, an unknown point 110.
func (e *Engine) resolve(self *device, name string) (*device, *point, error) {
	dev, pt, rel := strings.Cut(name, ".")
	d := self
	if !rel {
		pt = dev
	} else {
		d = e.device(dev)
		if d == nil {
			return nil, nil, codes.New(codes.DeviceNotExist, "device %q does not exist", dev)
		}
	}
	if d == nil || pt == "" || strings.Contains(pt, ".") {
		return nil, nil, codes.New(codes.PointNotExist, "%q is not a point (dev.pt)", name)
	}
	p := d.point(pt)
	if p == nil {
		return nil, nil, codes.New(codes.DataNotExist, "point %q does not exist in %s", pt, d)
	}
	return d, p, nil
}
