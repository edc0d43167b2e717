package app

import (
	"context"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// knownPoints is, per gateway, the set of its points ("dev.pt" → type), so
// ingest can drop samples of deleted points without a query per sample. A
// gateway's set is loaded on first use and dropped on every model change, so
// the next batch reloads it.
type knownPoints struct {
	mu sync.RWMutex
	gw map[string]map[string]driver.Type
	// gen counts model changes, so a load that raced with a change is not
	// kept: it may have read the table from before the change.
	gen uint64
}

func newKnownPoints() *knownPoints { return &knownPoints{gw: map[string]map[string]driver.Type{}} }

func (k *knownPoints) forgetGateway(gw string) {
	k.mu.Lock()
	delete(k.gw, gw)
	k.gen++
	k.mu.Unlock()
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
	set = map[string]driver.Type{}
	for _, dt := range t.Devices {
		for _, p := range dt.Points {
			set[dt.Device.ID+"."+p.ID] = p.Type
		}
	}
	k.mu.Lock()
	if k.gen == gen {
		k.gw[gw] = set
	}
	k.mu.Unlock()
	return set, nil
}

// modelChanged is called after every change to a gateway's devices or
// points: ingest must see the new point set and engines the new tables.
func (a *App) modelChanged(gw string, devices ...string) {
	a.known.forgetGateway(gw)
	if a.link == nil || len(devices) == 0 {
		return
	}
	if err := a.link.NotifyReload(gw, bus.ReloadCmd{Devices: devices}); err != nil {
		a.log.Warn("reload notification not sent; the engine re-checks versions periodically", "gateway", gw, "err", err)
	}
}
