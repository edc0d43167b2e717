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
type valueCache struct {
	mu      sync.RWMutex
	last    map[string]model.Sample
	pending map[string]model.Sample
}

func newValueCache() *valueCache {
	return &valueCache{last: map[string]model.Sample{}, pending: map[string]model.Sample{}}
}

func (c *valueCache) load(samples []model.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range samples {
		if old, ok := c.last[s.ID]; !ok || s.TS >= old.TS {
			c.last[s.ID] = s
		}
	}
}

// update applies samples that are newer than the cached ones.
func (c *valueCache) update(samples []model.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range samples {
		if old, ok := c.last[s.ID]; ok && s.TS < old.TS {
			continue
		}
		c.last[s.ID] = s
		c.pending[s.ID] = s
	}
}

func (c *valueCache) get(id string) (model.Sample, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.last[id]
	return s, ok
}

func (c *valueCache) forget(id string) {
	c.mu.Lock()
	delete(c.last, id)
	delete(c.pending, id)
	c.mu.Unlock()
}

func (c *valueCache) forgetDevice(gw, dev string) { c.forgetPrefix(gw + "." + dev + ".") }

func (c *valueCache) forgetGateway(gw string) { c.forgetPrefix(gw + ".") }

func (c *valueCache) forgetPrefix(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.last {
		if strings.HasPrefix(id, prefix) {
			delete(c.last, id)
			delete(c.pending, id)
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
	for _, s := range c.pending {
		out = append(out, s)
	}
	c.pending = map[string]model.Sample{}
	return out
}

// putBack returns samples whose save failed, unless newer ones arrived.
func (c *valueCache) putBack(samples []model.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range samples {
		if p, ok := c.pending[s.ID]; !ok || p.TS < s.TS {
			c.pending[s.ID] = s
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
