package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// errRestarting is what driver.Yield returns once a command run there found
// the link broken: the Read should stop, the driver is closed after it.
var errRestarting = fmt.Errorf("%w: a command run during the read ended the driver instance", driver.ErrReconnect)

// yield is the hook behind driver.Yield in a poll's Read. It runs the
// commands queued when it is called (writes, on-demand reads, broadcasts,
// browses; not subscriptions or collection control, which wait for the
// Read to end) on the calling goroutine, which is the worker's, inside the
// Read: the driver is still called by one goroutine at a time. Commands
// that arrive while it runs wait for the next yield, so a stream of writes
// cannot hold a Read up for ever.
//
// It does nothing outside a poll's Read and when it is already running (a
// command that yields with the Read's context does not recurse).
func (w *worker) yield(ctx context.Context) error {
	if !w.yieldOpen.CompareAndSwap(true, false) {
		return nil
	}
	defer w.yieldOpen.Store(true)
	for n := len(w.cmds); n > 0 && ctx.Err() == nil && !w.restartPending && w.runCmd(); n-- {
	}
	// The command's own driver call cleared busy; the Read is still in
	// progress (host.Value relies on it).
	w.busy.Store(true)
	if w.restartPending {
		return errRestarting
	}
	return nil
}

// runCmd runs one queued command if there is one.
func (w *worker) runCmd() bool {
	select {
	case j := <-w.cmds:
		j(w)
		return true
	default:
		return false
	}
}

// deferRestart postpones a restart asked for by a command run at a yield
// until the Read has returned: the driver is not closed under its own Read.
// It reports whether the restart was postponed.
func (w *worker) deferRestart(delay time.Duration) bool {
	if !w.reading {
		return false
	}
	w.restartPending, w.restartDelay = true, delay
	return true
}
