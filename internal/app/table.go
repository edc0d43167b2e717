package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// Point-table file formats.
const (
	FormatTB   = "tb"
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// CheckTableFormat accepts tb, csv and xlsx; empty means tb.
func CheckTableFormat(format string) (string, error) {
	switch format {
	case "", FormatTB:
		return FormatTB, nil
	case FormatCSV, FormatXLSX:
		return format, nil
	}
	return "", codes.New(codes.ArgError, "table format %q is not tb, csv or xlsx", format)
}

// ExportTable writes a gateway's point table as .tb. Secret config fields
// are redacted unless an admin asks to reveal them.
func (a *App) ExportTable(ctx context.Context, user store.User, gw string, reveal bool) ([]byte, error) {
	return a.ExportTableAs(ctx, user, gw, FormatTB, reveal)
}

// ExportTableAs writes a gateway's point table as tb, csv or xlsx, with
// secrets redacted as ExportTable does.
func (a *App) ExportTableAs(ctx context.Context, user store.User, gw, format string, reveal bool) ([]byte, error) {
	format, err := CheckTableFormat(format)
	if err != nil {
		return nil, err
	}
	t, err := a.store.GetTable(ctx, gw)
	if err != nil {
		return nil, err
	}
	if !revealAllowed(user, reveal) {
		for i := range t.Devices {
			d := &t.Devices[i].Device
			d.Config = redactConfig(d.Driver, d.Config)
		}
	}
	out, err := encodeTable(t, format)
	if err != nil {
		return nil, fmt.Errorf("gateway %s: export %s: %w", gw, format, err)
	}
	return out, nil
}

func encodeTable(t model.Table, format string) ([]byte, error) {
	switch format {
	case FormatCSV:
		return model.EncodeCSV(t)
	case FormatXLSX:
		return model.EncodeXLSX(t)
	}
	return model.EncodeTB(t)
}

func decodeTable(data []byte, format string) (model.Table, []model.Problem, error) {
	switch format {
	case FormatCSV:
		return model.DecodeCSV(data)
	case FormatXLSX:
		return model.DecodeXLSX(data)
	}
	return model.DecodeTB(data)
}

// ImportReport says what an import changed, or would change on a dry run.
type ImportReport struct {
	DryRun   bool            `json:"dry_run"`
	Devices  Changes         `json:"devices"`
	Points   Changes         `json:"points"`
	Warnings []model.Problem `json:"warnings"`
}

// Changes lists IDs (devices "dev", points "dev.pt") by kind of change.
type Changes struct {
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
}

// ImportTable replaces a gateway's devices and points with a .tb table, in
// one transaction: an invalid table is 514 listing every problem and
// changes nothing. The table's root id must be gw, or absent. A dry run
// reports the changes without writing. Engines reload the devices that
// changed.
func (a *App) ImportTable(ctx context.Context, user store.User, gw string, data []byte, dryRun bool) (ImportReport, error) {
	return a.ImportTableAs(ctx, user, gw, FormatTB, data, dryRun)
}

// ImportTableAs is ImportTable for a tb, csv or xlsx file. CSV and XLSX
// carry no gateway, and the fields they have no column for (a device's
// description, enabled, parent, subscriptions, template; a point's proxy
// and parent) are kept from the stored device or point of the same ID.
func (a *App) ImportTableAs(ctx context.Context, user store.User, gw, format string, data []byte, dryRun bool) (ImportReport, error) {
	if err := auth.RequireWrite(user); err != nil {
		return ImportReport{}, err
	}
	format, err := CheckTableFormat(format)
	if err != nil {
		return ImportReport{}, err
	}
	started := a.now()
	gen := a.known.generation()
	rep, stored, err := a.importTable(ctx, gw, format, data, dryRun)
	if dryRun {
		return rep, err
	}
	a.audit(ctx, user, "import", gw, fmt.Sprintf("%d devices, %d points changed", len(stored.changed), pointChanges(rep)), err, started)
	if err != nil {
		return ImportReport{}, err
	}
	a.cache.forgetMissing(gw, rep.Points.Removed, rep.Devices.Removed)
	// The point set and the version index of the table just stored are
	// kept before the engine hears of it: recomputing them means reading
	// the whole table back, which takes seconds for a million points.
	a.known.forgetGateway(gw)
	a.known.prime(stored.table, stored.index, gen+1)
	a.notifyReload(gw, stored.changed)
	return rep, nil
}

// importedTable is what an import stored: the table, its devices' versions
// in table order and the devices whose version changed.
type importedTable struct {
	table   model.Table
	index   []bus.DeviceVersion
	changed []string
}

func pointChanges(r ImportReport) int {
	return len(r.Points.Added) + len(r.Points.Changed) + len(r.Points.Removed)
}

func (a *App) importTable(ctx context.Context, gw, format string, data []byte, dryRun bool) (ImportReport, importedTable, error) {
	old, err := a.store.GetTable(ctx, gw)
	if err != nil {
		return ImportReport{}, importedTable{}, err
	}
	t, warnings, err := decodeTable(data, format)
	if err != nil {
		return ImportReport{}, importedTable{}, err
	}
	if format != FormatTB {
		keepUnlisted(&t, old)
	}
	if t.Gateway.ID != "" && t.Gateway.ID != gw {
		return ImportReport{}, importedTable{}, model.TableError([]model.Problem{{Field: "id", Reason: fmt.Sprintf("the table is for gateway %s, not %s", t.Gateway.ID, gw)}})
	}
	prepareImport(&t, old, a.now())
	if err := model.TableError(model.ValidateTable(t)); err != nil {
		return ImportReport{}, importedTable{}, err
	}
	rep, changed, nextVer := diffTables(old, t)
	rep.DryRun, rep.Warnings = dryRun, warnings
	if rep.Warnings == nil {
		rep.Warnings = []model.Problem{}
	}
	if dryRun {
		return rep, importedTable{changed: changed}, nil
	}
	if err := a.store.ReplaceTable(ctx, t); err != nil {
		return ImportReport{}, importedTable{}, fmt.Errorf("gateway %s: import: %w", gw, err)
	}
	idx := make([]bus.DeviceVersion, 0, len(t.Devices))
	for _, dt := range t.Devices {
		idx = append(idx, bus.DeviceVersion{ID: dt.Device.ID, Version: nextVer[dt.Device.ID]})
	}
	return rep, importedTable{table: t, index: idx, changed: changed}, nil
}

// keepUnlisted copies, from the stored table, the fields that CSV and XLSX
// have no column for, so exporting to a spreadsheet and importing it back
// changes nothing it did not show.
func keepUnlisted(t *model.Table, old model.Table) {
	oldDT := deviceTables(old)
	for i := range t.Devices {
		d := &t.Devices[i].Device
		od, ok := oldDT[d.ID]
		if !ok {
			continue
		}
		d.Description, d.Enabled, d.Parent, d.Subscribe, d.Template, d.Raw =
			od.Device.Description, od.Device.Enabled, od.Device.Parent, od.Device.Subscribe, od.Device.Template, od.Device.Raw
		oldPts := make(map[string]model.Point, len(od.Points))
		for _, p := range od.Points {
			oldPts[p.ID] = p
		}
		for j := range t.Devices[i].Points {
			p := &t.Devices[i].Points[j]
			if op, ok := oldPts[p.ID]; ok {
				p.Proxy, p.Parent, p.Raw = op.Proxy, op.Parent, op.Raw
			}
		}
	}
}

// prepareImport fills what a file does not say: the gateway's identity and
// name (the file may omit them), timestamps, and stored secrets for fields
// the file carries redacted, so an exported table imports back unharmed.
func prepareImport(t *model.Table, old model.Table, now time.Time) {
	now = now.UTC()
	g := &t.Gateway
	g.ID, g.CreatedAt, g.UpdatedAt = old.Gateway.ID, old.Gateway.CreatedAt, now
	if g.Name == "" {
		g.Name = old.Gateway.Name
	}
	oldDevs := deviceMap(old)
	for i := range t.Devices {
		d := &t.Devices[i].Device
		d.Gateway, d.CreatedAt, d.UpdatedAt = g.ID, now, now
		if od, ok := oldDevs[d.ID]; ok {
			d.CreatedAt = od.CreatedAt
			d.Config = keepSecrets(d.Driver, d.Config, od.Config)
		}
		for j := range t.Devices[i].Points {
			p := &t.Devices[i].Points[j]
			p.Gateway, p.Device, p.CreatedAt, p.UpdatedAt = g.ID, d.ID, now, now
		}
	}
}

// diffTables compares the stored table with an imported one. It returns the
// report, the devices whose engine-visible version changes (reloads) and the
// imported devices' versions.
func diffTables(old, next model.Table) (ImportReport, []string, map[string]string) {
	var rep ImportReport
	oldDT := deviceTables(old)
	oldVer, nextVer := versions(old), versions(next)
	var reload []string
	seen := map[string]bool{}
	for _, dt := range next.Devices {
		id := dt.Device.ID
		seen[id] = true
		prev, existed := oldDT[id]
		switch {
		case !existed:
			rep.Devices.Added = append(rep.Devices.Added, id)
		case !sameDevice(prev.Device, dt.Device):
			rep.Devices.Changed = append(rep.Devices.Changed, id)
		default:
			rep.Devices.Unchanged++
		}
		diffPoints(&rep.Points, id, prev.Points, dt.Points)
		if oldVer[id] != nextVer[id] {
			reload = append(reload, id)
		}
	}
	for _, dt := range old.Devices {
		if id := dt.Device.ID; !seen[id] {
			rep.Devices.Removed = append(rep.Devices.Removed, id)
			diffPoints(&rep.Points, id, dt.Points, nil)
			reload = append(reload, id)
		}
	}
	rep.Devices.normalize()
	rep.Points.normalize()
	return rep, reload, nextVer
}

func diffPoints(c *Changes, dev string, old, next []model.Point) {
	prev := make(map[string]model.Point, len(old))
	for _, p := range old {
		prev[p.ID] = p
	}
	for _, p := range next {
		o, ok := prev[p.ID]
		delete(prev, p.ID)
		switch {
		case !ok:
			c.Added = append(c.Added, dev+"."+p.ID)
		case !samePoint(o, p):
			c.Changed = append(c.Changed, dev+"."+p.ID)
		default:
			c.Unchanged++
		}
	}
	for _, p := range old {
		if _, gone := prev[p.ID]; gone {
			c.Removed = append(c.Removed, dev+"."+p.ID)
		}
	}
}

// normalize makes empty lists encode as [] rather than null.
func (c *Changes) normalize() {
	for _, l := range []*[]string{&c.Added, &c.Changed, &c.Removed} {
		if *l == nil {
			*l = []string{}
		}
	}
}

func deviceTables(t model.Table) map[string]model.DeviceTable {
	m := make(map[string]model.DeviceTable, len(t.Devices))
	for _, dt := range t.Devices {
		m[dt.Device.ID] = dt
	}
	return m
}

// versions maps each device to its engine-visible version; a device whose
// parent chain is broken gets an empty one (validation rejects such tables
// before they are stored).
func versions(t model.Table) map[string]string {
	devs := deviceMap(t)
	out := make(map[string]string, len(t.Devices))
	for _, dt := range t.Devices {
		eff, err := model.EffectiveDeviceConfig(devs, dt.Device.ID)
		if err == nil {
			out[dt.Device.ID] = model.DeviceVersion(dt, eff)
		}
	}
	return out
}

// sameDevice compares what a user edits, not timestamps or raw JSON.
func sameDevice(a, b model.Device) bool {
	a.CreatedAt, a.UpdatedAt, a.Raw = b.CreatedAt, b.UpdatedAt, b.Raw
	return jsonSame(a, b)
}

func samePoint(a, b model.Point) bool {
	a.CreatedAt, a.UpdatedAt, a.Raw, a.Gateway = b.CreatedAt, b.UpdatedAt, b.Raw, b.Gateway
	return jsonSame(a, b)
}

// jsonSame compares two values by their canonical JSON, so raw configs that
// differ only in spacing or key order are equal.
func jsonSame(a, b any) bool {
	ja, err1 := canonical(a)
	jb, err2 := canonical(b)
	return err1 == nil && err2 == nil && ja == jb
}

func canonical(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return "", err
	}
	b, err = json.Marshal(generic)
	return string(b), err
}
