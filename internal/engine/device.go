package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// device is one device of the table and, while it runs, its worker.
type device struct {
	e *Engine
	// table is the device's table without its points: once resolved into
	// drv and pts they are not needed, and a gateway may hold a million.
	table  bus.DeviceTable
	drv    driver.Device
	pts    []point  // enabled points, index for index with drv.Points
	byID   []*point // pts sorted by point ID, for lookups
	byName []*point // pts sorted by point name
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
// of the device, compiled transforms and the poll groups. Strings repeated
// from point to point (units, types, configs) are shared rather than kept
// once per point.
func newDevice(e *Engine, dt bus.DeviceTable) *device {
	d := &device{
		e:   e,
		log: e.log.With("device", dt.Device.ID, "driver", dt.Device.Driver),
	}
	d.host = &host{d: d}
	cfg, err := effectiveConfig(dt)
	if err != nil {
		d.setupErr = err
	}
	internPoints(dt.Points)
	d.drv = model.ToDriverDevice(model.DeviceTable{Device: dt.Device, Points: dt.Points}, cfg)
	d.drv.Gateway = e.opts.Gateway
	// The driver's points were appended one by one: keep them in an array
	// of their own size rather than one grown by half again.
	d.drv.Points = slices.Clone(d.drv.Points)
	byID := make(map[string]*model.Point, len(dt.Points))
	for i := range dt.Points {
		byID[dt.Points[i].ID] = &dt.Points[i]
	}
	d.pts = make([]point, len(d.drv.Points))
	for i := range d.drv.Points {
		dp := &d.drv.Points[i]
		mp := byID[dp.ID]
		if mp == nil {
			mp = &model.Point{ID: dp.ID, Name: dp.Name, Type: dp.Type, Access: dp.Access}
		}
		p := &d.pts[i]
		if err := p.init(dt.Device.ID, mp, dp); err != nil && d.setupErr == nil {
			d.setupErr = err
		}
		p.mem = e.memory.slot(p.key)
	}
	d.index()
	d.groups = pollGroups(d.drv.Points)
	for _, g := range d.groups {
		g.points = slices.Clone(g.points) // sized to the group, like drv.Points
		g.pts = make([]*point, len(g.points))
		for i, dp := range g.points {
			g.pts[i] = d.pointByID(dp.ID)
		}
	}
	dt.Points = nil
	d.table = dt
	return d
}

// index sorts the points by ID and by name for point lookups. Of points
// sharing an ID or name the last in table order wins.
func (d *device) index() {
	d.byID = make([]*point, len(d.pts))
	for i := range d.pts {
		d.byID[i] = &d.pts[i]
	}
	d.byName = slices.Clone(d.byID)
	slices.SortStableFunc(d.byID, func(a, b *point) int { return strings.Compare(a.drv.ID, b.drv.ID) })
	slices.SortStableFunc(d.byName, func(a, b *point) int { return strings.Compare(a.drv.Name, b.drv.Name) })
}

// lastOf finds the last of the sorted points whose key is k.
func lastOf(sorted []*point, k string, key func(*point) string) *point {
	i := sort.Search(len(sorted), func(i int) bool { return key(sorted[i]) > k })
	if i > 0 && key(sorted[i-1]) == k {
		return sorted[i-1]
	}
	return nil
}

func pointID(p *point) string   { return p.drv.ID }
func pointName(p *point) string { return p.drv.Name }

func (d *device) pointByID(id string) *point { return lastOf(d.byID, id, pointID) }

// internPoints makes the points' repeated strings share one copy: a table
// decoded from JSON holds its own copy of every unit, type, access mode,
// config and pattern of every point.
func internPoints(points []model.Point) {
	strs := map[string]string{}
	raws := map[string][]byte{}
	str := func(s string) string {
		if v, ok := strs[s]; ok {
			return v
		}
		strs[s] = s
		return s
	}
	for i := range points {
		p := &points[i]
		p.Unit, p.Pattern = str(p.Unit), str(p.Pattern)
		p.Type, p.Access = driver.Type(str(string(p.Type))), driver.Access(str(string(p.Access)))
		if p.Config != nil {
			if v, ok := raws[string(p.Config)]; ok {
				p.Config = v
			} else {
				raws[string(p.Config)] = p.Config
			}
		}
	}
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
	if p := d.pointByID(name); p != nil {
		return p
	}
	return lastOf(d.byName, name, pointName)
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
	bad := make([]driver.Sample, 0, len(d.pts))
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
