package engine

import (
	"context"
	"sort"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

const (
	// statusInterval is the period of status reports.
	statusInterval = 5 * time.Second
	// statusMinGap rate-limits the extra reports on device state changes.
	statusMinGap = time.Second
)

// statusKicker asks for an early status report; kicks coalesce.
type statusKicker struct{ ch chan struct{} }

func newStatusKicker() statusKicker { return statusKicker{ch: make(chan struct{}, 1)} }

func (k statusKicker) kick() {
	select {
	case k.ch <- struct{}{}:
	default:
	}
}

// statusLoop publishes the status periodically and soon after a device's
// state changes, at most once per statusMinGap for the latter.
func (e *Engine) statusLoop(ctx context.Context) {
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	var last time.Time
	var pending <-chan time.Time
	publish := func() {
		pending, last = nil, time.Now()
		e.publishStatus()
	}
	publish()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			publish()
		case <-pending:
			publish()
		case <-e.status.ch:
			wait := statusMinGap - time.Since(last)
			if wait <= 0 {
				publish()
			} else if pending == nil {
				pending = time.After(wait)
			}
		}
	}
}

// Status is the engine's current status report.
func (e *Engine) Status() bus.Status {
	st := bus.Status{Epoch: e.opts.Epoch}
	e.mu.RLock()
	for _, d := range e.devices {
		st.Devices = append(st.Devices, d.state())
	}
	e.mu.RUnlock()
	sort.Slice(st.Devices, func(i, j int) bool { return st.Devices[i].ID < st.Devices[j].ID })
	st.OutboxBatches, st.OutboxBytes, st.OutboxDropped = e.opts.Sink.Backlog()
	return st
}

func (e *Engine) publishStatus() {
	link := e.opts.Link
	if link == nil || !link.Connected() {
		return
	}
	if err := link.PublishStatus(e.Status()); err != nil {
		e.log.Debug("status not published", "err", err)
	}
}
