package extdriver

import (
	"math/rand/v2"
	"time"
)

// supervise waits for the child to stop and restarts it with capped
// exponential backoff until Close. The device is offline while no child
// runs; calls meanwhile fail with 504.
func (d *Driver) supervise(c *child) {
	defer d.wg.Done()
	attempt := 0
	for {
		select {
		case <-c.exited:
		case <-d.ctx.Done():
			return
		}
		if !d.clearCurrent(c) {
			return
		}
		d.host.Online(false)
		d.log.Warn("driver process stopped; restarting", "reason", c.Reason())
		if time.Since(c.started) > d.opts.MaxBackoff {
			attempt = 0 // it ran fine for a while: start the backoff over
		}
		var ok bool
		if c, ok = d.restart(&attempt); !ok {
			return
		}
	}
}

// clearCurrent forgets a stopped child; false means the driver is closed.
func (d *Driver) clearCurrent(c *child) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	if d.cur == c {
		d.cur = nil
	}
	return true
}

// restart spawns a new child, waiting the backoff before each try.
func (d *Driver) restart(attempt *int) (*child, bool) {
	for {
		t := time.NewTimer(backoff(d.opts.MinBackoff, d.opts.MaxBackoff, *attempt))
		*attempt++
		select {
		case <-t.C:
		case <-d.ctx.Done():
			t.Stop()
			return nil, false
		}
		c, err := d.spawn(d.ctx)
		if err != nil {
			d.log.Warn("restarting driver process failed", "attempt", *attempt, "err", err)
			continue
		}
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			c.stop(d.closeCall(c))
			return nil, false
		}
		d.cur = c
		d.mu.Unlock()
		d.log.Info("driver process restarted", "attempt", *attempt)
		d.host.Online(true)
		return c, true
	}
}

// backoff is min·2^attempt capped at max, with up to 20% jitter so many
// devices of one crashed driver do not restart in lockstep.
func backoff(minD, maxD time.Duration, attempt int) time.Duration {
	d := minD << min(attempt, 30)
	if d > maxD || d <= 0 {
		d = maxD
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}
