package model

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
)

// tbDecoder collects the problems (fatal) and warnings of one .tb decode.
type tbDecoder struct {
	problems problems
	warnings problems
}

// DecodeTB reads a .tb point table (the original's JSON: gateway →
// properties → device → data → point). It returns the table with non-fatal
// warnings, or a code 514 error whose data lists every problem — never a
// partial table. Devices and points keep the file's order; every object's
// original JSON is kept in Raw so EncodeTB gives back what it was given.
func DecodeTB(data []byte) (Table, []Problem, error) {
	var d tbDecoder
	// Raw values are slices of the table's text: own a copy, not the caller's.
	t, ok := d.table(bytes.Clone(data))
	if ok {
		d.validate(t)
	}
	if len(d.problems.list) > 0 {
		return Table{}, nil, TableError(d.problems.list)
	}
	return t, d.warnings.list, nil
}

func (d *tbDecoder) table(data []byte) (Table, bool) {
	root, _, err := parseObject(data)
	if err != nil {
		d.problems.add("", "", "not a JSON object: %v", err)
		return Table{}, false
	}
	var t Table
	t.Gateway = d.gateway(root)
	props, _ := root.get("properties")
	devices, dups, err := parseMap(props)
	if err != nil {
		d.problems.add("", "properties", "%v", err)
		return t, true
	}
	for _, id := range dups {
		d.problems.add(DevicePath(id), "id", "device %s appears twice", id)
	}
	for _, id := range devices.keys {
		dt := d.device(t.Gateway.ID, id, devices.vals[id])
		t.Devices = append(t.Devices, dt)
	}
	return t, true
}

// parseMap reads an ID-keyed object (properties, data); absent and null are
// empty.
func parseMap(raw json.RawMessage) (*object, []string, error) {
	if isNullOrAbsent(raw) {
		return newObject(), nil, nil
	}
	return splitObject(raw)
}

func (d *tbDecoder) gateway(root *object) Gateway {
	g := Gateway{Raw: root.without("properties")}
	g.ID = d.gatewayID(root)
	g.Name = d.str(root, "", "name")
	g.Description = d.str(root, "", "description")
	loc, err := gatewayLocation(root)
	if err != nil {
		d.problems.add("", "location", "%v", err)
	}
	g.Location = loc
	return g
}

// gatewayID takes the ID from gateway_uuid or id, whichever is 32 hex: legacy
// tables carry a numeric id next to the uuid.
func (d *tbDecoder) gatewayID(root *object) string {
	id, err := tbGatewayID(root)
	if err != nil {
		d.problems.add("", "id", "%v", err)
	}
	return id
}

func (d *tbDecoder) device(gw, id string, raw json.RawMessage) DeviceTable {
	path := DevicePath(id)
	o, _, err := splitObject(raw)
	if err != nil {
		d.problems.add(path, "", "not a JSON object")
		return DeviceTable{Device: Device{ID: id, Gateway: gw, Enabled: true}}
	}
	dev := Device{ID: id, Gateway: gw, Raw: o.without("data")}
	dev.Name = d.str(o, path, "name")
	dev.Description = d.str(o, path, "description")
	cfgRaw, _ := o.get("config")
	cfg, err := subObject(cfgRaw)
	if err != nil {
		d.problems.add(path, "config", "%v", err)
		cfg = newObject()
	}
	d.deviceConfig(path, cfg, &dev)
	dt := DeviceTable{Device: dev}
	dataRaw, _ := o.get("data")
	points, dups, err := parseMap(dataRaw)
	if err != nil {
		d.problems.add(path, "data", "%v", err)
		return dt
	}
	for _, pid := range dups {
		d.problems.add(PointPath(id, pid), "id", "point %s appears twice", pid)
	}
	for _, pid := range points.keys {
		dt.Points = append(dt.Points, d.point(gw, id, pid, points.vals[pid]))
	}
	return dt
}

func (d *tbDecoder) deviceConfig(path string, cfg *object, dev *Device) {
	var err error
	dev.Driver = d.str(cfg, path, "config.driver")
	param, _ := cfg.get("param")
	if dev.Config, err = tbParam(param); err != nil {
		d.problems.add(path, "config.param", "%v", err)
	}
	if dev.Subscribe, err = tbSub(param); err != nil {
		d.problems.add(path, "config.param.sub", "%v", err)
	}
	dev.Parent = d.str(cfg, path, "config.parentId")
	enabled, _ := cfg.get("enabled")
	if dev.Enabled, err = tbBool(enabled, true); err != nil {
		d.problems.add(path, "config.enabled", "%v", err)
	}
}

func (d *tbDecoder) point(gw, dev, id string, raw json.RawMessage) Point {
	path := PointPath(dev, id)
	p := Point{ID: id, Gateway: gw, Device: dev, Raw: raw}
	o, _, err := splitObject(raw)
	if err != nil {
		d.problems.add(path, "", "not a JSON object")
		return p
	}
	p.Name = d.str(o, path, "name")
	p.Description = d.str(o, path, "description")
	p.Unit = d.str(o, path, "unit")
	p.Pattern = d.str(o, path, "regexp")
	p.Expr = d.str(o, path, "expr")
	d.pointScalars(path, o, &p)
	d.pointConfig(path, o, &p)
	d.legacyWarnings(path, o, p)
	return p
}

func (d *tbDecoder) pointScalars(path string, o *object, p *Point) {
	var err error
	if p.Type, err = tbType(field(o, "valuetype")); err != nil {
		d.problems.add(path, "valuetype", "%v", err)
	}
	p.Access, err = tbAccess(field(o, "readwrite"))
	if err == errNoAccess {
		d.warnings.add(path, "readwrite", "%v", err)
	} else if err != nil {
		d.problems.add(path, "readwrite", "%v", err)
	}
	if p.IntervalMS, err = tbInt(field(o, "refreshcycle")); err != nil {
		d.problems.add(path, "refreshcycle", "%v", err)
	}
	if p.Deadband, err = tbFloat(field(o, "sensibility")); err != nil {
		d.problems.add(path, "sensibility", "%v", err)
	}
	if p.Min, err = tbOptFloat(field(o, "minvalue")); err != nil {
		d.problems.add(path, "minvalue", "%v", err)
	}
	if p.Max, err = tbOptFloat(field(o, "maxvalue")); err != nil {
		d.problems.add(path, "maxvalue", "%v", err)
	}
	if p.Default, err = tbDefault(field(o, "defaultvalue"), p.Type); err != nil {
		d.problems.add(path, "defaultvalue", "%v", err)
	}
}

func (d *tbDecoder) pointConfig(path string, o *object, p *Point) {
	cfg, err := subObject(field(o, "config"))
	if err != nil {
		d.problems.add(path, "config", "%v", err)
		return
	}
	if p.Config, err = tbParam(field(cfg, "param")); err != nil {
		d.problems.add(path, "config.param", "%v", err)
	}
	if p.Proxy, err = tbProxy(field(cfg, "proxy")); err != nil {
		d.problems.add(path, "config.proxy", "%v", err)
	}
	p.Parent = d.str(cfg, path, "config.parentId")
	if p.Disabled, err = tbBool(field(cfg, "disabled"), false); err != nil {
		d.problems.add(path, "config.disabled", "%v", err)
	}
}

// legacyWarnings notes fields the original required everywhere but that mean
// nothing for the point's type: they are kept, and ignored.
func (d *tbDecoder) legacyWarnings(path string, o *object, p Point) {
	if p.Type != driver.Bool && p.Type != driver.String {
		return
	}
	if p.Min != nil || p.Max != nil {
		d.warnings.add(path, "minvalue", "min/max are ignored on %s points", p.Type)
	}
	if p.Deadband != 0 {
		d.warnings.add(path, "sensibility", "a deadband is ignored on %s points (any change is reported)", p.Type)
	}
}

// field is a key's raw value, nil when absent.
func field(o *object, key string) json.RawMessage {
	v, _ := o.get(key)
	return v
}

// str reads a string field; key may be "config.x", of which the last part
// is read from o and the whole names the field in a problem.
func (d *tbDecoder) str(o *object, path, name string) string {
	key := name[strings.LastIndexByte(name, '.')+1:]
	s, err := tbString(field(o, key))
	if err != nil {
		d.problems.add(path, name, "%v", err)
	}
	return s
}
