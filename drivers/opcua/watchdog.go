package opcua

import (
	"context"
	"time"
)

// maxRebuildBackoff caps the pause between two failed attempts to rebuild
// the session, as the engine caps its own reconnects (DESIGN.md §7).
const maxRebuildBackoff = 5 * time.Second

// watchdog is the goroutine that keeps the session alive between Connect
// and Close.
type watchdog struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startWatchdog starts checking the session every watchdog_interval and
// whenever a request or a publish fails.
func (d *OPCUA) startWatchdog() *watchdog {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchdog{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		d.watch(ctx)
	}()
	return w
}

// stop ends the watchdog and waits for it, so no rebuild races Close.
func (w *watchdog) stop() {
	w.cancel()
	<-w.done
}

func (d *OPCUA) watch(ctx context.Context) {
	tick := time.NewTicker(d.cfg.watchdog)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-d.kicks:
		}
		if l := d.current(); l != nil && l.healthy(ctx, d.cfg.timeout) {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		d.rebuild(ctx)
	}
}

// rebuild throws the broken session away and opens new ones until one
// works, with capped exponential backoff. The device is offline meanwhile.
func (d *OPCUA) rebuild(ctx context.Context) {
	log := d.host.Logger()
	log.Warn("session lost, rebuilding the client and its subscriptions", "endpoint", d.cfg.endpoint)
	d.setLink(nil)
	d.host.Online(false)
	backoff := d.cfg.watchdog
	for attempt := 1; ; attempt++ {
		l, err := d.open(ctx)
		if err == nil {
			d.setLink(l)
			d.host.Online(true)
			log.Info("session rebuilt", "endpoint", d.cfg.endpoint, "attempts", attempt)
			return
		}
		log.Debug("rebuilding the session failed", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxRebuildBackoff)
	}
}
