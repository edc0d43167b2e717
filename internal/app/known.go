package app

import (
	"context"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// knownPoints is, per gateway, the set of its points ("dev.pt" → type), so
// ingest can drop samples of deleted points without a query per sample, and
// the version index engines compare their tables with. Both are loaded on
// first use (or left by an import) and dropped on every model change, so
// the next use reloads them.
type knownPoints struct {
	mu  sync.RWMutex
	gw  map[string]map[string]driver.Type
	idx map[string][]bus.DeviceVersion
	// gen counts model changes, so a load that raced with a change is not
	// kept: it may have read the table from before the change.
	gen uint64
}

func newKnownPoints() *knownPoints {
	return &knownPoints{gw: map[string]map[string]driver.Type{}, idx: map[string][]bus.DeviceVersion{}}
}

func (k *knownPoints) forgetGateway(gw string) {
	k.mu.Lock()
	delete(k.gw, gw)
	delete(k.idx, gw)
	k.gen++
	k.mu.Unlock()
}

// generation is the count of model changes so far.
func (k *knownPoints) generation() uint64 {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.gen
}

// of returns the gateway's point set, loading it from the table if needed.
func (k *knownPoints) of(ctx context.Context, gw string, load func(context.Context, string) (model.Table, error)) (map[string]driver.Type, error) {
	k.mu.RLock()
	set, ok := k.gw[gw]
	gen := k.gen
	k.mu.RUnlock()
	if ok {
		return set, nil
	}
	t, err := load(ctx, gw)
	if err != nil {
		return nil, err
	}
	set = pointTypes(t)
	k.mu.Lock()
	if k.gen == gen {
		k.gw[gw] = set
	}
	k.mu.Unlock()
	return set, nil
}

// index returns the gateway's device versions, computing them from the
// table if needed. Callers must not modify the slice.
func (k *knownPoints) index(ctx context.Context, gw string, load func(context.Context, string) (model.Table, error)) ([]bus.DeviceVersion, error) {
	k.mu.RLock()
	idx, ok := k.idx[gw]
	gen := k.gen
	k.mu.RUnlock()
	if ok {
		return idx, nil
	}
	t, err := load(ctx, gw)
	if err != nil {
		return nil, err
	}
	if idx, err = tableIndex(t); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.gen == gen {
		k.idx[gw] = idx
		if _, ok := k.gw[gw]; !ok {
			k.gw[gw] = pointTypes(t)
		}
	}
	k.mu.Unlock()
	return idx, nil
}

// prime keeps the point set and index of a table just stored, so the
// engines that reload it and their first batches find them ready. gen is
// the generation the store's change produced: if another change came
// since, nothing is kept.
func (k *knownPoints) prime(t model.Table, idx []bus.DeviceVersion, gen uint64) {
	set := pointTypes(t)
	k.mu.Lock()
	if k.gen == gen {
		k.gw[t.Gateway.ID], k.idx[t.Gateway.ID] = set, idx
	}
	k.mu.Unlock()
}

func pointTypes(t model.Table) map[string]driver.Type {
	n := 0
	for _, dt := range t.Devices {
		n += len(dt.Points)
	}
	set := make(map[string]driver.Type, n)
	for _, dt := range t.Devices {
		for _, p := range dt.Points {
			set[dt.Device.ID+"."+p.ID] = p.Type
		}
	}
	return set
}

// modelChanged is called after every change to a gateway's devices or
// points: ingest must see the new point set and engines the new tables.
func (a *App) modelChanged(gw string, devices ...string) {
	a.known.forgetGateway(gw)
	a.notifyReload(gw, devices)
}

// notifyReload tells the gateway's engine which devices changed.
func (a *App) notifyReload(gw string, devices []string) {
	if a.link == nil || len(devices) == 0 {
		return
	}
	if err := a.link.NotifyReload(gw, bus.ReloadCmd{Devices: devices}); err != nil {
		a.log.Warn("reload notification not sent; the engine re-checks versions periodically", "gateway", gw, "err", err)
	}
}
