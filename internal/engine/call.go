package engine

import (
	"context"

	"github.com/iotos/iotos/internal/codes"
)

// call runs fn in the device's worker, ahead of its polls, and waits for the
// result. If the deadline passes before the worker reaches the job, fn does
// not run (519): nothing is written after its deadline. needDriver says fn
// talks to the driver, so a device that is not connected answers 3; such a
// command may also run at a yield inside a poll's Read (yield.go), so it
// need not wait for the whole poll.
func (d *device) call(ctx context.Context, needDriver bool, fn func(ctx context.Context, w *worker) (any, error)) (any, error) {
	w := d.worker()
	if w == nil {
		return nil, d.notRunning()
	}
	type result struct {
		v   any
		err error
	}
	reply := make(chan result, 1)
	j := func(w *worker) {
		switch {
		case ctx.Err() != nil:
			reply <- result{err: codes.New(codes.Timeout, "%s: deadline passed before the device was free; not executed", d)}
		case needDriver && w.drv == nil:
			reply <- result{err: d.offlineErr()}
		default:
			v, err := fn(ctx, w)
			reply <- result{v, err}
		}
	}
	queue := w.jobs
	if needDriver {
		queue = w.cmds
	}
	select {
	case queue <- j:
	case <-ctx.Done():
		return nil, codes.New(codes.Timeout, "%s: queue full until the deadline; not executed", d)
	case <-w.done:
		return nil, d.notRunning()
	}
	select {
	case r := <-reply:
		return r.v, r.err
	case <-ctx.Done():
		return nil, codes.New(codes.Timeout, "%s: no answer before the deadline", d)
	case <-w.done:
		return nil, d.notRunning()
	}
}

// notRunning explains why a device has no worker: 3 with the reason.
func (d *device) notRunning() error {
	if !d.table.Device.Enabled {
		return codes.New(codes.ObjectOffline, "%s is disabled", d)
	}
	return d.offlineErr()
}

func (d *device) offlineErr() error {
	st := d.state()
	if st.LastError != "" {
		return codes.New(codes.ObjectOffline, "%s is offline: %s", d, st.LastError)
	}
	return codes.New(codes.ObjectOffline, "%s is offline", d)
}
