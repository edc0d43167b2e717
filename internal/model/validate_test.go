package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

const testGW = "5f3c2a10b7e44d0c9a1e2b3c4d5e6f70"

func goodPoint() Point {
	return Point{ID: "0a01", Name: "temp", Type: driver.Float, Access: driver.Read, Min: f64(0), Max: f64(10)}
}

func problemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	ce := codes.From(err)
	if ce.Code != codes.ArgError {
		t.Fatalf("code = %d, want 105", ce.Code)
	}
	var fields []string
	for _, p := range ce.Data.([]Problem) {
		fields = append(fields, p.Field)
		if !strings.Contains(ce.Msg, p.Field) && len(fields) <= 3 {
			t.Errorf("message %q does not name field %s", ce.Msg, p.Field)
		}
	}
	return fields
}

func TestValidatePoint(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Point)
		field string // "" = valid
	}{
		{"valid", func(*Point) {}, ""},
		{"short id", func(p *Point) { p.ID = "a01" }, "id"},
		{"upper id", func(p *Point) { p.ID = "0A01" }, "id"},
		{"empty name", func(p *Point) { p.Name = " " }, "name"},
		{"dot in name", func(p *Point) { p.Name = "a.b" }, "name"},
		{"control char", func(p *Point) { p.Name = "a\nb" }, "name"},
		{"long name", func(p *Point) { p.Name = strings.Repeat("é", MaxNameLen+1) }, "name"},
		{"max length name", func(p *Point) { p.Name = strings.Repeat("é", MaxNameLen) }, ""},
		{"bad type", func(p *Point) { p.Type = "DOUBLE" }, "type"},
		{"bad access", func(p *Point) { p.Access = "x" }, "access"},
		{"min over max", func(p *Point) { p.Min = f64(11) }, "min"},
		{"legacy limits on BOOL", func(p *Point) { p.Type = driver.Bool; p.Min = f64(11) }, ""},
		{"bad pattern", func(p *Point) { p.Pattern = "[" }, "pattern"},
		{"negative deadband", func(p *Point) { p.Deadband = -1 }, "deadband"},
		{"negative interval", func(p *Point) { p.IntervalMS = -5 }, "interval_ms"},
		{"bad expr", func(p *Point) { p.Expr = "x +" }, "expr"},
		{"default converts", func(p *Point) { p.Default = "2.5" }, ""},
		{"default does not convert", func(p *Point) { p.Default = "warm" }, "default"},
		{"bad config", func(p *Point) { p.Config = json.RawMessage(`{`) }, "config"},
		{"bad parent", func(p *Point) { p.Parent = "zz" }, "parent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := goodPoint()
			c.edit(&p)
			fields := problemFields(t, ValidatePoint(p))
			if c.field == "" && len(fields) != 0 || c.field != "" && (len(fields) != 1 || fields[0] != c.field) {
				t.Fatalf("problem fields = %v, want [%s]", fields, c.field)
			}
		})
	}
}

func TestValidateDeviceAndGateway(t *testing.T) {
	good := Device{ID: "1a2b3c4d", Name: "boiler", Driver: "simulator", Subscribe: []string{"00000001.*", "00000001.0a01"}}
	if err := ValidateDevice(good); err != nil {
		t.Fatal(err)
	}
	for ref, ok := range map[string]bool{
		"modbus": true, "python/dr_x.XDriver": true, "exec/reader": true,
		"": false, "../x": false, "python/../../x": false, "/bin/sh": false, "python/dr x.X": false,
	} {
		d := good
		d.Driver = ref
		if err := ValidateDevice(d); (err == nil) != ok {
			t.Errorf("driver %q: %v", ref, err)
		}
	}
	bad := good
	bad.ID, bad.Parent, bad.Subscribe = "1a2b3c4", "1a2b", []string{"*.x", "nodot"}
	if got := problemFields(t, ValidateDevice(bad)); strings.Join(got, ",") != "id,parent,subscribe,subscribe" {
		t.Fatalf("fields = %v", got)
	}
	if err := ValidateGateway(Gateway{ID: testGW, Name: "gw"}); err != nil {
		t.Fatal(err)
	}
	if got := problemFields(t, ValidateGateway(Gateway{ID: "1", Name: ""})); strings.Join(got, ",") != "id,name" {
		t.Fatalf("fields = %v", got)
	}
}

func TestValidateTable(t *testing.T) {
	dev := func(id, name, parent string, pts ...Point) DeviceTable {
		return DeviceTable{Device: Device{ID: id, Gateway: testGW, Name: name, Driver: "simulator", Parent: parent}, Points: pts}
	}
	pt := func(id, name string) Point {
		p := goodPoint()
		p.ID, p.Name = id, name
		return p
	}
	proxied := pt("0003", "c")
	proxied.Proxy = &driver.Proxy{Pointer: "0001"}
	remote := pt("0004", "d")
	remote.Proxy = &driver.Proxy{Pointer: "00000002.0001"}
	good := Table{Gateway: Gateway{ID: testGW, Name: "gw"}, Devices: []DeviceTable{
		dev("00000001", "one", "", pt("0001", "a"), pt("0002", "b"), proxied, remote),
		dev("00000002", "two", "00000001", pt("0001", "a")),
	}}
	if ps := ValidateTable(good); len(ps) != 0 {
		t.Fatalf("problems in a good table: %+v", ps)
	}

	cyc1, cyc2 := pt("0001", "a"), pt("0002", "b")
	cyc1.Parent, cyc2.Parent = "0002", "0001"
	lost := pt("0003", "c")
	lost.Proxy = &driver.Proxy{Pointer: "0fff"}
	orphan := pt("0004", "d")
	orphan.Parent = "0eee"
	bad := Table{Gateway: Gateway{ID: testGW, Name: "gw"}, Devices: []DeviceTable{
		dev("00000001", "one", "00000003", cyc1, cyc2, lost, orphan, pt("0005", "a"), pt("0005", "e")),
		dev("00000002", "one", "00000009"),
		dev("00000003", "three", "00000001"),
		dev("00000003", "four", ""),
	}}
	ps := ValidateTable(bad)
	for _, w := range []struct{ path, field string }{
		{"properties.00000001", "parent"}, // cycle 1 → 3 → 1
		{"properties.00000003", "parent"},
		{"properties.00000002", "name"},   // duplicate device name
		{"properties.00000002", "parent"}, // missing parent
		{"properties.00000003", "id"},     // duplicate device ID
		{"properties.00000001.data.0001", "parent"},
		{"properties.00000001.data.0002", "parent"},
		{"properties.00000001.data.0003", "proxy"},
		{"properties.00000001.data.0004", "parent"},
		{"properties.00000001.data.0005", "name"},
		{"properties.00000001.data.0005", "id"},
	} {
		if !hasProblem(ps, w.path, w.field) {
			t.Errorf("missing %s / %s", w.path, w.field)
		}
	}
	err := TableError(ps)
	if ce := codes.From(err); ce.Code != codes.TableNotValid || len(ce.Data.([]Problem)) != len(ps) {
		t.Fatalf("TableError = %v", err)
	}
	if TableError(nil) != nil {
		t.Fatal("TableError(nil) is not nil")
	}
	b, _ := json.Marshal(ps[0])
	if !strings.Contains(string(b), `"path":`) || !strings.Contains(string(b), `"reason":`) {
		t.Fatalf("problem JSON = %s", b)
	}
}
