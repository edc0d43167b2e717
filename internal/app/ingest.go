package app

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

var _ bus.PlatformHandler = (*App)(nil)

// ingestStats is ingest's state: what it did, for metrics and tests, and
// the batches already pushed to live subscribers.
type ingestStats struct {
	batches, duplicates, samples, dropped atomic.Int64
	pushed                                recentBatches
}

// IngestStats is a snapshot of the ingest counters.
type IngestStats struct {
	Batches, Duplicates, Samples, Dropped int64
}

// IngestStats returns the ingest counters since start.
func (a *App) IngestStats() IngestStats {
	return IngestStats{
		Batches: a.ingest.batches.Load(), Duplicates: a.ingest.duplicates.Load(),
		Samples: a.ingest.samples.Load(), Dropped: a.ingest.dropped.Load(),
	}
}

// Batch stores an engine batch durably and acknowledges it. Samples of
// points the gateway does not have (deleted since) are counted and dropped,
// never left to block the engine's outbox. A batch already stored is
// acknowledged again as a duplicate. Only a storage failure is an error.
//
// Live subscribers get the samples before the commit, so that their lag
// does not include the durable write; the acknowledgement, the history and
// the last-value cache still wait for it (docs/stream.md).
func (a *App) Batch(ctx context.Context, gw string, b bus.Batch) (bus.Ack, error) {
	known, err := a.known.of(ctx, gw, a.store.GetTable)
	if err != nil {
		if codes.Of(err) != codes.IONodeNotExist {
			return bus.Ack{}, fmt.Errorf("gateway %s batch %d: %w", gw, b.Seq, err)
		}
		known = nil // a deleted gateway: drop everything, acknowledge
	}
	samples, dropped := toSamples(gw, b.Samples, known)
	key := store.BatchKey{Gateway: gw, Epoch: b.Epoch, Seq: b.Seq}
	a.pushLive(key, samples)
	dup, err := a.store.Ingest(ctx, key, samples)
	if err != nil {
		return bus.Ack{}, fmt.Errorf("gateway %s batch %s/%d: %w", gw, b.Epoch, b.Seq, err)
	}
	a.ingest.batches.Add(1)
	if dup {
		a.ingest.duplicates.Add(1)
		return bus.Ack{Seq: b.Seq, Duplicate: true}, nil
	}
	a.ingest.samples.Add(int64(len(samples)))
	a.ingest.dropped.Add(int64(dropped))
	if dropped > 0 {
		a.log.Debug("dropped samples of unknown points", "gateway", gw, "batch", b.Seq, "dropped", dropped)
	}
	a.cache.update(samples)
	return bus.Ack{Seq: b.Seq, Dropped: dropped}, nil
}

// pushLive hands a batch's samples to the live hook once: a batch sent
// again (its acknowledgement was lost, or its commit failed and the engine
// retries) is not pushed twice.
func (a *App) pushLive(key store.BatchKey, samples []model.Sample) {
	f := a.onSamples.Load()
	if f == nil || len(samples) == 0 || !a.ingest.pushed.first(key) {
		return
	}
	(*f)(samples)
}

// toSamples maps wire samples to full-ID samples typed by their points.
func toSamples(gw string, ws []bus.WireSample, known *pointSet) ([]model.Sample, int) {
	out := make([]model.Sample, 0, len(ws))
	dropped := 0
	for i, w := range ws {
		typ, ok := known.lookup(w.P)
		if !ok {
			dropped++
			continue
		}
		s := model.Sample{ID: gw + "." + w.P, Value: w.V, TS: w.T, Quality: w.Q, Code: w.C, Seq: uint64(i)}
		if s.Quality == "" {
			s.Quality = driver.Good
		}
		if s.Value != nil {
			if v, err := driver.Convert(typ, s.Value); err == nil {
				s.Value = v
			}
		}
		out = append(out, s)
	}
	return out, dropped
}

// Status remembers a gateway engine's latest report.
func (a *App) Status(gw string, st bus.Status) { a.status.put(gw, st, a.now()) }

// TableIndex lists a gateway's devices with their version hashes. The index
// is kept until the gateway's model changes (an import leaves it computed),
// since engines ask at every start, reconnection and periodically, and a
// large gateway's whole table is slow to read.
func (a *App) TableIndex(ctx context.Context, gw string) (bus.TableIndex, error) {
	devs, err := a.known.index(ctx, gw, a.store.GetTable)
	if err != nil {
		return bus.TableIndex{}, err
	}
	return bus.TableIndex{Devices: append(make([]bus.DeviceVersion, 0, len(devs)), devs...)}, nil
}

// tableIndex computes the version of every device of t, in table order.
func tableIndex(t model.Table) ([]bus.DeviceVersion, error) {
	devs := deviceMap(t)
	out := make([]bus.DeviceVersion, 0, len(t.Devices))
	for _, dt := range t.Devices {
		eff, err := model.EffectiveDeviceConfig(devs, dt.Device.ID)
		if err != nil {
			return nil, fmt.Errorf("gateway %s device %s: %w", t.Gateway.ID, dt.Device.ID, err)
		}
		out = append(out, bus.DeviceVersion{ID: dt.Device.ID, Version: model.DeviceVersion(dt, eff)})
	}
	return out, nil
}

// DeviceTable returns one device's table as its engine needs it, with its
// inherited config merged and its version hash. It reads only the device,
// its points and its parents: an engine asks once per device, so reading
// the whole table each time would grow with the square of the gateway.
func (a *App) DeviceTable(ctx context.Context, gw, dev string) (bus.DeviceTable, error) {
	d, err := a.store.GetDevice(ctx, gw, dev)
	if err != nil {
		return bus.DeviceTable{}, err
	}
	points, err := a.store.ListPoints(ctx, gw, dev)
	if err != nil {
		return bus.DeviceTable{}, err
	}
	devs, err := a.withParents(ctx, gw, d)
	if err != nil {
		return bus.DeviceTable{}, err
	}
	eff, err := model.EffectiveDeviceConfig(devs, dev)
	if err != nil {
		return bus.DeviceTable{}, fmt.Errorf("gateway %s device %s: %w", gw, dev, err)
	}
	// ParentConfig carries the whole merged config, so an engine gets
	// the same result whether it uses it as is or merges the device's
	// own config over it.
	dt := model.DeviceTable{Device: d, Points: points}
	return bus.DeviceTable{Device: d, Points: points, Version: model.DeviceVersion(dt, eff), ParentConfig: eff}, nil
}

// withParents maps d (of gateway gw) and its chain of parents by ID. A missing parent or a
// cycle ends the chain; EffectiveDeviceConfig reports either.
func (a *App) withParents(ctx context.Context, gw string, d model.Device) (map[string]model.Device, error) {
	devs := map[string]model.Device{d.ID: d}
	for cur := d.Parent; cur != ""; {
		if _, seen := devs[cur]; seen {
			break
		}
		p, err := a.store.GetDevice(ctx, gw, cur)
		if codes.Of(err) == codes.DeviceNotExist {
			break
		}
		if err != nil {
			return nil, err
		}
		devs[cur] = p
		cur = p.Parent
	}
	return devs, nil
}

// Values answers an engine's request for current values ("dev.pt").
func (a *App) Values(ctx context.Context, gw string, ids []string) ([]model.Sample, error) {
	return a.engineValues(gw, ids), nil
}

func deviceMap(t model.Table) map[string]model.Device {
	m := make(map[string]model.Device, len(t.Devices))
	for _, dt := range t.Devices {
		m[dt.Device.ID] = dt.Device
	}
	return m
}
