package app

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/iotos/iotos/internal/model"
)

// valueCache is the last value of every point, in memory. It only moves to
// a newer ts, so a replayed backlog never hides a live value. Samples that
// changed it wait in pending until the save loop persists them, so the store
// sees one upsert per point per interval instead of one per batch.
//
// A gateway may have a million points, so the samples live in pages of
// slots rather than as map values: the map holds only each ID's slot, and
// pending lists slots rather than holding a second copy of each sample.
type valueCache struct {
	mu    sync.RWMutex
	index map[string]int32 // full ID → slot
	pages [][]cacheSlot    // slot i is pages[i/cachePage][i%cachePage]
	used  int32            // slots handed out, free ones included
	free  []int32          // slots of forgotten IDs, reused first
	// pending lists the slots changed since the last save. A slot is
	// listed while dirty; a forgotten slot is skipped, and one listed twice
	// (forgotten, reused, changed again) is taken once.
	pending []int32
}

// cachePage is the slots allocated at once: growing never copies samples.
const cachePage = 4096

type cacheSlot struct {
	s     model.Sample
	dirty bool // changed since the last save: listed in pending
}

func newValueCache() *valueCache {
	return &valueCache{index: map[string]int32{}}
}

func (c *valueCache) slot(i int32) *cacheSlot { return &c.pages[i/cachePage][i%cachePage] }

// put stores s as its ID's value, making a slot for a new ID; it returns
// the slot. Called with mu held.
func (c *valueCache) put(s model.Sample) *cacheSlot {
	if i, ok := c.index[s.ID]; ok {
		sl := c.slot(i)
		sl.s = s
		return sl
	}
	var i int32
	if n := len(c.free); n > 0 {
		i, c.free = c.free[n-1], c.free[:n-1]
	} else {
		if int(c.used) == len(c.pages)*cachePage {
			c.pages = append(c.pages, make([]cacheSlot, cachePage))
		}
		i = c.used
		c.used++
	}
	c.index[s.ID] = i
	sl := c.slot(i)
	sl.s = s
	return sl
}

// markDirty lists the slot of sl, index i, for the next save.
func (c *valueCache) markDirty(i int32, sl *cacheSlot) {
	if !sl.dirty {
		sl.dirty = true
		c.pending = append(c.pending, i)
	}
}

func (c *valueCache) load(samples []model.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range samples {
		if i, ok := c.index[s.ID]; ok && s.TS < c.slot(i).s.TS {
			continue
		}
		c.put(s)
	}
}

// update applies samples that are newer than the cached ones.
func (c *valueCache) update(samples []model.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range samples {
		if i, ok := c.index[s.ID]; ok && s.TS < c.slot(i).s.TS {
			continue
		}
		sl := c.put(s)
		c.markDirty(c.index[s.ID], sl)
	}
}

func (c *valueCache) get(id string) (model.Sample, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	i, ok := c.index[id]
	if !ok {
		return model.Sample{}, false
	}
	return c.slot(i).s, true
}

func (c *valueCache) forget(id string) {
	c.mu.Lock()
	c.forgetLocked(id)
	c.mu.Unlock()
}

func (c *valueCache) forgetLocked(id string) {
	i, ok := c.index[id]
	if !ok {
		return
	}
	delete(c.index, id)
	*c.slot(i) = cacheSlot{}
	c.free = append(c.free, i)
}

func (c *valueCache) forgetDevice(gw, dev string) { c.forgetPrefix(gw + "." + dev + ".") }

func (c *valueCache) forgetGateway(gw string) { c.forgetPrefix(gw + ".") }

func (c *valueCache) forgetPrefix(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.index {
		if strings.HasPrefix(id, prefix) {
			c.forgetLocked(id)
		}
	}
}

// takePending hands the samples waiting to be persisted to the caller.
func (c *valueCache) takePending() []model.Sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return nil
	}
	out := make([]model.Sample, 0, len(c.pending))
	for _, i := range c.pending {
		if sl := c.slot(i); sl.dirty {
			sl.dirty = false
			out = append(out, sl.s)
		}
	}
	c.pending = nil
	if len(out) == 0 {
		return nil
	}
	return out
}

// putBack returns samples whose save failed to pending. The cache holds
// each one's value or a newer one, which is what the next save stores;
// points forgotten since are not saved.
func (c *valueCache) putBack(samples []model.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range samples {
		if i, ok := c.index[s.ID]; ok {
			c.markDirty(i, c.slot(i))
		}
	}
}

// saveLoop persists pending last values every interval until ctx ends.
func (a *App) saveLoop(ctx context.Context, every time.Duration) {
	defer close(a.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.flushLastValues(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("saving last values failed; retrying", "err", err)
			}
		}
	}
}

func (a *App) flushLastValues(ctx context.Context) error {
	batch := a.cache.takePending()
	if len(batch) == 0 {
		return nil
	}
	if err := a.store.SaveLastValues(ctx, batch); err != nil {
		a.cache.putBack(batch)
		return err
	}
	return nil
}

// forgetMissing drops the cached values of removed points and devices
// ("dev.pt" and "dev" inside gw).
func (c *valueCache) forgetMissing(gw string, points, devices []string) {
	for _, p := range points {
		c.forget(gw + "." + p)
	}
	for _, d := range devices {
		c.forgetDevice(gw, d)
	}
}
