package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// panicError is a recovered panic of a driver call.
type panicError struct {
	call  string
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("driver panicked in %s: %v", p.call, p.value) }

// guard runs one driver call, turning a panic into a *panicError so one bad
// driver takes down only its own device.
func (w *worker) guard(call string, f func() error) (err error) {
	w.busy.Store(true)
	defer w.busy.Store(false)
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{call: call, value: r, stack: debug.Stack()}
		}
	}()
	return f()
}

// startDriver makes, initialises and connects a new driver instance.
func (w *worker) startDriver(ctx context.Context) {
	d := w.d
	factory, ok := d.e.opts.Registry(d.table.Device.Driver)
	if !ok {
		w.failed = true
		d.setError(codes.New(codes.ArgError, "unknown driver %q", d.table.Device.Driver))
		return
	}
	drv := factory()
	err := w.guard("Init", func() error { return drv.Init(d.host, d.drv) })
	var pe *panicError
	if err != nil && !errors.As(err, &pe) {
		w.failed = true
		d.setError(fmt.Errorf("init: %w", err))
		d.log.Error("driver configuration rejected", "err", err)
		return
	}
	if err == nil {
		err = w.connect(ctx, drv)
	}
	if err != nil {
		w.closeInstance(drv)
		if ctx.Err() == nil {
			w.linkFailed(err)
		}
		return
	}
	w.drv = drv
	_, isBroadcaster := drv.(driver.Broadcaster)
	w.broadcaster.Store(isBroadcaster)
	w.retry.reset()
	w.failures = 0
	d.forgetReported()
	if len(d.groups) == 0 {
		// Nothing to poll: connecting is the only sign of life. Otherwise
		// the first good read marks the device online, so a driver that
		// fails every read after a restart does not flap online.
		d.markOnline()
	}
	w.schedulePolls()
}

func (w *worker) connect(ctx context.Context, drv driver.Driver) error {
	c, ok := drv.(driver.Connector)
	if !ok {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	return w.guard("Connect", func() error { return c.Connect(cctx) })
}

// readFailed counts a failed read; a panic or a lost link also restarts
// the driver.
func (w *worker) readFailed(err error) {
	if w.checkLink(err) {
		return
	}
	w.failures++
	w.d.setError(err)
	w.d.log.Debug("read failed", "failures", w.failures, "err", err)
	if w.failures >= offlineAfter {
		w.d.markOffline(int(codes.NetError), err)
	}
}

// linkFailed handles a failed start: offline after enough attempts, retry
// with backoff.
func (w *worker) linkFailed(err error) {
	var pe *panicError
	if errors.As(err, &pe) {
		w.crashed(pe)
		return
	}
	w.failures++
	w.d.setError(err)
	w.retryAt = time.Now().Add(w.retry.next())
	if w.failures >= offlineAfter {
		w.d.markOffline(int(codes.NetError), err)
	}
}

// checkLink reacts to the errors that end the driver instance: a panic
// (offline at once) and ErrReconnect (close and connect again). It reports
// whether err was a panic, which needs no further counting.
func (w *worker) checkLink(err error) bool {
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		w.crashed(pe)
		return true
	case errors.Is(err, driver.ErrReconnect):
		w.d.log.Info("driver asks to reconnect", "err", err)
		w.restart(w.retry.next())
	}
	return false
}

func (w *worker) crashed(pe *panicError) {
	w.d.log.Error("driver panicked", "call", pe.call, "panic", fmt.Sprint(pe.value), "stack", string(pe.stack))
	w.restart(w.retry.next())
	w.d.markOffline(int(codes.NetError), pe)
}

// restart closes the driver (once the Read in progress, if any, has
// returned); a new instance starts after delay.
func (w *worker) restart(delay time.Duration) {
	if w.deferRestart(delay) {
		return
	}
	w.closeDriver()
	w.failed = false
	w.retryAt = time.Now().Add(delay)
}

func (w *worker) closeDriver() {
	if w.drv == nil {
		return
	}
	w.closeInstance(w.drv)
	w.drv = nil
	w.broadcaster.Store(false)
}

// closeInstance closes a driver; Close is called once per instance, and a
// panic in it is logged like any other.
func (w *worker) closeInstance(drv driver.Driver) {
	if err := w.guard("Close", drv.Close); err != nil {
		w.d.log.Warn("closing the driver", "err", err)
	}
}
