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
	gw  map[string]*pointSet
	idx map[string][]bus.DeviceVersion
	// gen counts model changes, so a load that raced with a change is not
	// kept: it may have read the table from before the change.
	gen uint64
}

func newKnownPoints() *knownPoints {
	return &knownPoints{gw: map[string]*pointSet{}, idx: map[string][]bus.DeviceVersion{}}
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
func (k *knownPoints) of(ctx context.Context, gw string, load func(context.Context, string) (model.Table, error)) (*pointSet, error) {
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

// pointSet is a gateway's points ("dev.pt") with their types. A gateway
// may have a million points, so IDs of the usual shape (8 and 4 lowercase
// hex digits) are kept as one number and the type as a small code; any
// other key is kept as it is.
type pointSet struct {
	packed map[uint64]uint8 // packed "dev.pt" → index in setTypes
	other  map[string]driver.Type
}

// setTypes are the types a packed entry can have.
var setTypes = [...]driver.Type{driver.Bool, driver.Int, driver.Float, driver.String}

func typeCode(t driver.Type) (uint8, bool) {
	for i, c := range setTypes {
		if t == c {
			return uint8(i), true
		}
	}
	return 0, false
}

// packKey packs "dddddddd.pppp" (lowercase hex) into a number.
func packKey(key string) (uint64, bool) {
	if len(key) != 13 || key[8] != '.' {
		return 0, false
	}
	return packIDs(key[:8], key[9:])
}

// packIDs packs a device ID of 8 and a point ID of 4 lowercase hex digits.
func packIDs(dev, pt string) (uint64, bool) {
	if len(dev) != 8 || len(pt) != 4 {
		return 0, false
	}
	var v uint64
	for _, id := range [2]string{dev, pt} {
		for i := 0; i < len(id); i++ {
			switch c := id[i]; {
			case '0' <= c && c <= '9':
				v = v<<4 | uint64(c-'0')
			case 'a' <= c && c <= 'f':
				v = v<<4 | uint64(c-'a'+10)
			default:
				return 0, false
			}
		}
	}
	return v, true
}

// add records point pt of device dev.
func (s *pointSet) add(dev, pt string, t driver.Type) {
	if k, ok := packIDs(dev, pt); ok {
		if c, ok := typeCode(t); ok {
			s.packed[k] = c
			return
		}
	}
	if s.other == nil {
		s.other = map[string]driver.Type{}
	}
	s.other[dev+"."+pt] = t
}

// lookup returns the type of point key ("dev.pt"); a nil set has no points.
func (s *pointSet) lookup(key string) (driver.Type, bool) {
	if s == nil {
		return "", false
	}
	if t, ok := s.other[key]; ok {
		return t, true
	}
	if k, ok := packKey(key); ok {
		if c, ok := s.packed[k]; ok {
			return setTypes[c], true
		}
	}
	return "", false
}

// len is the number of points in the set.
func (s *pointSet) len() int {
	if s == nil {
		return 0
	}
	return len(s.packed) + len(s.other)
}

func pointTypes(t model.Table) *pointSet {
	n := 0
	for _, dt := range t.Devices {
		n += len(dt.Points)
	}
	set := &pointSet{packed: make(map[uint64]uint8, n)}
	for _, dt := range t.Devices {
		for _, p := range dt.Points {
			set.add(dt.Device.ID, p.ID, p.Type)
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
