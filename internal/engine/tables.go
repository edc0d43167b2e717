package engine

import (
	"context"
	"sync"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

const (
	// recheckInterval is how often the table versions are compared even
	// without a notice, since a reload notice can be missed.
	recheckInterval = 60 * time.Second
	// tableTimeout bounds one table request to the platform.
	tableTimeout = 30 * time.Second
)

// startCached starts the devices of the cached tables, before the platform
// has been asked anything.
func (e *Engine) startCached() {
	tables, errs := e.cache.load()
	for _, err := range errs {
		e.log.Warn("skipping a cached table", "err", err)
	}
	for _, dt := range tables {
		e.apply(dt)
	}
	e.log.Info("started from the table cache", "devices", len(tables))
}

// tableLoop keeps the tables in step with the platform: at start, after
// every reconnection, on a reload command and periodically.
func (e *Engine) tableLoop(ctx context.Context) {
	tick := time.NewTicker(recheckInterval)
	defer tick.Stop()
	var reconnected <-chan struct{}
	if e.opts.Link != nil {
		reconnected = e.opts.Link.Reconnected()
	}
	served := false
	for {
		if !served {
			served = e.serve()
		}
		e.syncTables(ctx)
		select {
		case <-ctx.Done():
			return
		case <-reconnected:
		case <-e.reload:
		case <-tick.C:
		}
	}
}

// serve subscribes the engine to its commands; it reports whether that
// worked, so a link that refuses while down is asked again later.
func (e *Engine) serve() bool {
	if e.opts.Link == nil {
		return true
	}
	if err := e.opts.Link.Serve(e); err != nil {
		e.log.Warn("cannot serve commands yet", "err", err)
		return false
	}
	return true
}

// syncTables fetches the tables whose version changed, saves them and
// restarts only those devices; devices the platform no longer lists stop.
func (e *Engine) syncTables(ctx context.Context) {
	link := e.opts.Link
	if link == nil || !link.Connected() {
		return
	}
	ictx, cancel := context.WithTimeout(ctx, tableTimeout)
	idx, err := link.TableIndex(ictx)
	cancel()
	if err != nil {
		e.log.Warn("table index", "err", err)
		return
	}
	listed := make(map[string]bool, len(idx.Devices))
	var stale []string
	for _, dv := range idx.Devices {
		listed[dv.ID] = true
		if e.version(dv.ID) != dv.Version {
			stale = append(stale, dv.ID)
		}
	}
	e.fetchAll(ctx, stale)
	for _, id := range e.deviceIDs() {
		if !listed[id] {
			e.remove(id)
		}
	}
}

// fetchWorkers bounds the device tables requested at once: a gateway of a
// thousand devices starts in a fraction of the time one request after the
// other takes, and the platform serves a few requests at a time anyway.
const fetchWorkers = 4

// fetchAll loads the devices' tables from the platform, a few at a time,
// caches them and applies each as it arrives. Applying stays on this
// goroutine, so replacements never interleave.
func (e *Engine) fetchAll(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	jobs := make(chan string)
	loaded := make(chan bus.DeviceTable)
	var wg sync.WaitGroup
	for range min(fetchWorkers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				if dt, ok := e.fetch(ctx, id); ok {
					loaded <- dt
				}
			}
		}()
	}
	go func() {
		for _, id := range ids {
			if ctx.Err() != nil {
				break
			}
			jobs <- id
		}
		close(jobs)
		wg.Wait()
		close(loaded)
	}()
	for dt := range loaded {
		e.apply(dt)
	}
}

// fetch loads one device's table from the platform and caches it.
func (e *Engine) fetch(ctx context.Context, id string) (bus.DeviceTable, bool) {
	dctx, cancel := context.WithTimeout(ctx, tableTimeout)
	dt, err := e.opts.Link.DeviceTable(dctx, id)
	cancel()
	if err != nil {
		e.log.Warn("device table", "device", id, "err", err)
		return dt, false
	}
	if dt.Device.ID != id {
		e.log.Warn("device table for another device", "device", id, "got", dt.Device.ID)
		return dt, false
	}
	if err := e.cache.save(dt); err != nil {
		e.log.Warn("caching the device table", "device", id, "err", err)
	}
	return dt, true
}

func (e *Engine) version(id string) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if d, ok := e.devices[id]; ok {
		return d.table.Version
	}
	return ""
}

func (e *Engine) deviceIDs() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ids := make([]string, 0, len(e.devices))
	for id := range e.devices {
		ids = append(ids, id)
	}
	return ids
}

// apply replaces a device's table: the old worker stops, a new one starts.
// A device paused by an operator stays paused under its new table. Only
// tableLoop and startCached call it, so replacements never interleave.
func (e *Engine) apply(dt bus.DeviceTable) {
	id := dt.Device.ID
	e.mu.RLock()
	old := e.devices[id]
	e.mu.RUnlock()
	paused := false
	if old != nil {
		if old.table.Version == dt.Version && dt.Version != "" {
			return
		}
		old.stop()
		paused = old.state().Paused
	}
	d := newDevice(e, dt)
	d.paused = paused
	e.mu.Lock()
	e.devices[id] = d
	e.reindexLocked()
	ctx := e.runCtx
	e.mu.Unlock()
	if ctx != nil {
		d.start(ctx)
	}
	e.status.kick()
}

// remove stops a device the platform no longer has and forgets it.
func (e *Engine) remove(id string) {
	e.mu.Lock()
	d := e.devices[id]
	delete(e.devices, id)
	e.reindexLocked()
	e.mu.Unlock()
	if d != nil {
		d.stop()
		e.memory.forgetDevice(id)
	}
	if err := e.cache.remove(id); err != nil {
		e.log.Warn("removing a cached table", "device", id, "err", err)
	}
	e.status.kick()
}

// reindexLocked rebuilds the name index and the subscriptions.
func (e *Engine) reindexLocked() {
	e.names = make(map[string]string, len(e.devices))
	e.subs = map[string][]*device{}
	for id, d := range e.devices {
		e.names[d.table.Device.Name] = id
		if !d.table.Device.Enabled {
			continue
		}
		for _, s := range d.table.Device.Subscribe {
			e.subs[s] = append(e.subs[s], d)
		}
	}
}

// Reload asks for a table check; the versions decide what restarts, so the
// device list of the notice is only a hint.
func (e *Engine) Reload(bus.ReloadCmd) {
	select {
	case e.reload <- struct{}{}:
	default:
	}
}
