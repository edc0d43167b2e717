package engine

import (
	"context"
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
// Jobs run before polls.
type job func(w *worker)

// worker is the one goroutine that owns a device's driver. Everything the
// driver does runs here, one call at a time, so drivers need no locks.
type worker struct {
	d      *device
	jobs   chan job
	cancel context.CancelFunc
	done   chan struct{}

	// broadcaster is set while the running driver implements Broadcaster.
	broadcaster atomic.Bool
	// busy is set while a driver call is in progress (see host.Value).
	busy atomic.Bool

	// Owned by the worker goroutine.
	drv      driver.Driver // nil while not started
	failed   bool          // configuration error: waits for a new table
	failures int           // consecutive failed reads or connects
	retry    backoff
	retryAt  time.Time // when to start the driver next
	paused   bool
}

func newWorker(d *device, cancel context.CancelFunc) *worker {
	return &worker{d: d, jobs: make(chan job, queueSize), cancel: cancel, done: make(chan struct{})}
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

// runJob runs one queued job if there is one.
func (w *worker) runJob() bool {
	select {
	case j := <-w.jobs:
		j(w)
		return true
	default:
		return false
	}
}

// pollDue polls every group that is due, running queued jobs between
// groups so a write never waits behind more than one read.
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

// poll reads one group and hands the samples to the pipeline.
func (w *worker) poll(ctx context.Context, g *pollGroup) {
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	var samples []driver.Sample
	err := w.guard("Read", func() (err error) {
		samples, err = w.drv.Read(rctx, g.points)
		return err
	})
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
