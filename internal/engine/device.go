package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// device is one device of the table and, while it runs, its worker.
type device struct {
	e      *Engine
	table  bus.DeviceTable
	drv    driver.Device
	points map[string]*point // by point ID, enabled points only
	names  map[string]*point // by point name
	groups []*pollGroup
	log    *slog.Logger
	host   *host
	// setupErr is a problem found before any driver runs (bad expr, bad
	// merged config); the device is reported failed with it.
	setupErr error

	// pipe guards the points' report state (pipeline.go).
	pipe sync.Mutex

	mu      sync.Mutex
	w       *worker // nil when not running
	online  bool
	offline bool // offline has been reported (bad samples sent)
	paused  bool
	lastErr string
	starts  int // workers started for this table (a restart makes a new device)
}

// newDevice resolves a table into what the worker needs: the driver's view
// of the device, compiled transforms and the poll groups.
func newDevice(e *Engine, dt bus.DeviceTable) *device {
	d := &device{
		e: e, table: dt,
		points: map[string]*point{}, names: map[string]*point{},
		log: e.log.With("device", dt.Device.ID, "driver", dt.Device.Driver),
	}
	d.host = &host{d: d}
	cfg, err := effectiveConfig(dt)
	if err != nil {
		d.setupErr = err
	}
	d.drv = model.ToDriverDevice(model.DeviceTable{Device: dt.Device, Points: dt.Points}, cfg)
	d.drv.Gateway = e.opts.Gateway
	byID := make(map[string]*model.Point, len(dt.Points))
	for i := range dt.Points {
		byID[dt.Points[i].ID] = &d.table.Points[i]
	}
	for i := range d.drv.Points {
		dp := &d.drv.Points[i]
		mp := byID[dp.ID]
		if mp == nil {
			mp = &model.Point{ID: dp.ID, Name: dp.Name, Type: dp.Type, Access: dp.Access}
		}
		p, err := newPoint(dt.Device.ID, mp, dp)
		if err != nil && d.setupErr == nil {
			d.setupErr = err
		}
		p.mem = e.memory.slot(p.key)
		d.points[p.drv.ID], d.names[p.drv.Name] = p, p
	}
	d.groups = pollGroups(d.drv.Points)
	for _, g := range d.groups {
		g.pts = make([]*point, len(g.points))
		for i, dp := range g.points {
			g.pts[i] = d.points[dp.ID]
		}
	}
	return d
}

// start runs the device's worker, unless the device is disabled or its
// table cannot run.
func (d *device) start(ctx context.Context) {
	if !d.table.Device.Enabled {
		return
	}
	if d.setupErr != nil {
		d.setError(d.setupErr)
		return
	}
	wctx, cancel := context.WithCancel(ctx)
	w := newWorker(d, cancel)
	d.mu.Lock()
	w.paused = d.paused
	d.w = w
	d.starts++
	d.mu.Unlock()
	d.e.workers.Add(1)
	go func() {
		defer d.e.workers.Done()
		w.run(wctx)
	}()
}

// stop ends the worker and waits for it; the driver is closed by then.
func (d *device) stop() {
	d.mu.Lock()
	w := d.w
	d.w = nil
	d.mu.Unlock()
	if w != nil {
		w.stop()
	}
}

func (d *device) worker() *worker {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.w
}

// point resolves a point of this device by ID or name.
func (d *device) point(name string) *point {
	if p, ok := d.points[name]; ok {
		return p
	}
	return d.names[name]
}

// key is the point's "dev.pt" on the bus.
func (d *device) key(p *point) string { return p.key }

func (d *device) setError(err error) {
	d.mu.Lock()
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	changed := d.lastErr != msg
	d.lastErr = msg
	d.mu.Unlock()
	if changed {
		d.e.status.kick()
	}
}

// markOnline records that the device answers again.
func (d *device) markOnline() {
	d.mu.Lock()
	changed := !d.online
	d.online, d.offline, d.lastErr = true, false, ""
	d.mu.Unlock()
	if changed {
		d.log.Info("device online")
		d.e.status.kick()
	}
}

// markOffline records that the device does not answer: once per outage,
// every point gets a bad sample with code so users see stale values as such.
func (d *device) markOffline(code int, cause error) {
	d.mu.Lock()
	first := !d.offline
	d.online, d.offline = false, true
	if cause != nil {
		d.lastErr = cause.Error()
	}
	d.mu.Unlock()
	d.e.status.kick()
	if !first {
		return
	}
	d.log.Warn("device offline", "err", cause)
	bad := make([]driver.Sample, 0, len(d.points))
	for _, p := range d.drv.Points {
		if p.Access.CanRead() {
			bad = append(bad, driver.BadSample(p.ID, code))
		}
	}
	d.report(bad)
}

func (d *device) state() bus.DeviceStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	return bus.DeviceStatus{ID: d.table.Device.ID, Online: d.online, Paused: d.paused, LastError: d.lastErr}
}

func (d *device) setPaused(p bool) {
	d.mu.Lock()
	d.paused = p
	d.mu.Unlock()
	d.e.status.kick()
}

func (d *device) String() string { return fmt.Sprintf("device %s", d.table.Device.ID) }
