package engine

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

const (
	// queueSize bounds the commands waiting for one device.
	queueSize = 256
	// offlineAfter consecutive failed reads mark a device offline.
	offlineAfter = 3
	// readTimeout bounds one poll of a group.
	readTimeout = 10 * time.Second
	// connectTimeout bounds one Connect attempt.
	connectTimeout = 30 * time.Second
)

// job is work for a device's worker that does not come from its schedule:
// writes, on-demand reads, broadcasts, subscriptions, collection control.
// Jobs run before polls. Commands (jobs a caller waits for that talk to the
// driver: writes, on-demand reads, broadcasts, browses) have a queue of
// their own, because they also run at the yields of a poll's Read (yield.go).
type job func(w *worker)

// worker is the one goroutine that owns a device's driver. Everything the
// driver does runs here, one call at a time, so drivers need no locks.
type worker struct {
	d      *device
	jobs   chan job // subscriptions, collection control
	cmds   chan job // commands: also run at a yield of a poll's Read
	cancel context.CancelFunc
	done   chan struct{}

	// broadcaster is set while the running driver implements Broadcaster.
	broadcaster atomic.Bool
	// busy is set while a driver call is in progress (see host.Value).
	busy atomic.Bool
	// yieldOpen is set while a poll's Read may yield (see yield).
	yieldOpen atomic.Bool

	// Owned by the worker goroutine.
	drv      driver.Driver // nil while not started
	failed   bool          // configuration error: waits for a new table
	failures int           // consecutive failed reads or connects
	retry    backoff
	retryAt  time.Time // when to start the driver next
	paused   bool

	// Owned by the worker goroutine: a poll's Read in progress, and the
	// restart a command run at one of its yields asked for (yield.go).
	reading        bool
	restartPending bool
	restartDelay   time.Duration
	yieldFn        func(context.Context) error // w.yield, made once
}

func newWorker(d *device, cancel context.CancelFunc) *worker {
	w := &worker{d: d, jobs: make(chan job, queueSize), cmds: make(chan job, queueSize), cancel: cancel, done: make(chan struct{})}
	w.yieldFn = w.yield
	return w
}

// run serves jobs and polls until ctx ends, then closes the driver.
func (w *worker) run(ctx context.Context) {
	defer close(w.done)
	defer w.closeDriver()
	for ctx.Err() == nil {
		w.step(ctx)
	}
}

// stop ends the worker and waits until its driver is closed.
func (w *worker) stop() {
	w.cancel()
	<-w.done
}

// step does one thing: a pending job, a start attempt or the due polls.
func (w *worker) step(ctx context.Context) {
	if w.runJob() {
		return
	}
	wake := w.wakeTime()
	var timer <-chan time.Time
	if !wake.IsZero() {
		t := time.NewTimer(time.Until(wake))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
	case j := <-w.cmds:
		j(w)
	case j := <-w.jobs:
		j(w)
	case <-timer:
		if w.drv == nil {
			w.startDriver(ctx)
		} else {
			w.pollDue(ctx)
		}
	}
}

// wakeTime is when the worker has scheduled work (zero: only jobs).
func (w *worker) wakeTime() time.Time {
	switch {
	case w.failed:
		return time.Time{}
	case w.drv == nil:
		if w.retryAt.IsZero() {
			return time.Now()
		}
		return w.retryAt
	case w.paused:
		return time.Time{}
	}
	return nextDue(w.d.groups)
}

// runJob runs one queued job or command if there is one.
func (w *worker) runJob() bool {
	select {
	case j := <-w.cmds:
		j(w)
		return true
	case j := <-w.jobs:
		j(w)
		return true
	default:
		return false
	}
}

// pollDue polls every group that is due, running queued jobs between
// groups so a write never waits behind more than one read, and less than
// that when the driver yields inside its Read.
func (w *worker) pollDue(ctx context.Context) {
	for _, g := range w.d.groups {
		for w.runJob() {
		}
		if w.drv == nil || w.paused || ctx.Err() != nil {
			return
		}
		if time.Now().Before(g.next) {
			continue
		}
		w.poll(ctx, g)
		if missed := g.reschedule(time.Now()); missed > 0 {
			w.d.log.Warn("poll overrun", "interval", g.interval, "missed", missed, "overruns", g.overruns)
		}
	}
}

// poll reads one group and hands the samples to the pipeline. Commands
// queued meanwhile run at the driver's yields (yield.go); when one of them
// found the link broken, the driver is restarted as soon as the Read has
// returned and what the Read brought is dropped: the poll after the
// reconnect reads it again.
func (w *worker) poll(ctx context.Context, g *pollGroup) {
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	rctx = driver.WithYield(rctx, w.yieldFn)
	var samples []driver.Sample
	w.reading = true
	w.yieldOpen.Store(true)
	err := w.guard("Read", func() (err error) {
		samples, err = w.drv.Read(rctx, g.points)
		return err
	})
	w.yieldOpen.Store(false)
	w.reading = false
	if w.restartPending {
		w.restartPending = false
		var pe *panicError
		if errors.As(err, &pe) {
			w.crashed(pe) // the Read panicked too: logged and offline
			return
		}
		w.restart(w.restartDelay)
		return
	}
	if err != nil {
		if ctx.Err() == nil {
			w.readFailed(err)
		}
		return
	}
	w.failures = 0
	w.d.markOnline()
	w.d.pipeline(samples, g.pts, nil)
}

// schedulePolls makes every group due now: after a start or a resume the
// first poll happens at once.
func (w *worker) schedulePolls() {
	now := time.Now()
	for _, g := range w.d.groups {
		g.next = now
	}
}
