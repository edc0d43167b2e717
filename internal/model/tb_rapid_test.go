package model

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/iotos/iotos/pkg/driver"
)

// genTB draws a valid .tb file in the many spellings legacy tables use:
// numbers as strings or numbers, nulls, absent keys, unknown keys, legacy
// numeric ids, lowercase types, point-level parents and proxies.
func genTB(t *rapid.T) []byte {
	root := newObject()
	gw := rapid.StringMatching(`[0-9a-f]{32}`).Draw(t, "gw")
	switch rapid.IntRange(0, 2).Draw(t, "idStyle") {
	case 0:
		root.set("id", mustJSON(gw))
	case 1:
		root.set("id", mustJSON(rapid.IntRange(1, 999).Draw(t, "legacyID")))
		root.set("gateway_uuid", mustJSON(gw))
	default:
		root.set("gateway_uuid", mustJSON(gw))
		root.set("id", mustJSON(gw))
	}
	root.set("name", mustJSON("gw "+rapid.StringMatching(`[a-z]{1,8}`).Draw(t, "gwName")))
	setOneOf(t, root, "description", `null`, `""`, `"a gateway"`, ``)
	setOneOf(t, root, "timestamp", `1764000000.0`, `1764000000`, ``)
	setOneOf(t, root, "longitude", `"116.397"`, `116.5`, ``)
	setOneOf(t, root, "latitude", `"39.908"`, `39.5`, ``)
	setOneOf(t, root, "owner", `"self"`, `{"x":[1,null]}`, ``)
	props := newObject()
	nDev := rapid.IntRange(0, 4).Draw(t, "devices")
	devIDs := distinctIDs(t, "dev", nDev, `[0-9a-f]{8}`)
	for i, id := range devIDs {
		props.set(id, genDevice(t, i, devIDs[:i]))
	}
	root.set("properties", props.bytes())
	return root.bytes()
}

func distinctIDs(t *rapid.T, label string, n int, re string) []string {
	return rapid.SliceOfNDistinct(rapid.StringMatching(re), n, n, rapid.ID[string]).Draw(t, label+"IDs")
}

// setOneOf sets key to one of the raw spellings; "" leaves it absent.
func setOneOf(t *rapid.T, o *object, key string, spellings ...string) {
	s := rapid.SampledFrom(spellings).Draw(t, key)
	if s != "" {
		o.set(key, json.RawMessage(s))
	}
}

func genDevice(t *rapid.T, i int, earlier []string) json.RawMessage {
	o := newObject()
	setOneOf(t, o, "id", `3`, `"x"`, ``)
	o.set("name", mustJSON(fmt.Sprintf("device %d", i)))
	setOneOf(t, o, "description", `""`, `null`, `"desc"`, ``)
	setOneOf(t, o, "on", `true`, `false`, ``)
	cfg := newObject()
	cfg.set("driver", mustJSON(rapid.SampledFrom([]string{"simulator", "modbus", "python/dr_x.XDriver"}).Draw(t, "driver")))
	setOneOf(t, cfg, "param", `{}`, `{"host":"127.0.0.1","port":502}`, `{"sub":["00000001.*","00000002.0a01"],"k":1}`, `null`, ``)
	if len(earlier) > 0 && rapid.Bool().Draw(t, "hasParent") {
		cfg.set("parentId", mustJSON(rapid.SampledFrom(earlier).Draw(t, "parent")))
	} else {
		setOneOf(t, cfg, "parentId", `null`, `""`, ``)
	}
	setOneOf(t, cfg, "enabled", `true`, `false`, `"0"`, `1`, ``)
	o.set("config", cfg.bytes())
	n := rapid.IntRange(0, 5).Draw(t, "points")
	ids := distinctIDs(t, "pt", n, `[0-9a-f]{4}`)
	data := newObject()
	for j, id := range ids {
		data.set(id, genPoint(t, j, ids[:j]))
	}
	o.set("data", data.bytes())
	return o.bytes()
}

func genPoint(t *rapid.T, j int, earlier []string) json.RawMessage {
	o := newObject()
	o.set("name", mustJSON(fmt.Sprintf("point %d", j)))
	setOneOf(t, o, "description", `""`, `null`, `"d"`, ``)
	typ := rapid.SampledFrom([]string{"BOOL", "INT", "FLOAT", "STRING", "float"}).Draw(t, "type")
	o.set("valuetype", mustJSON(typ))
	setOneOf(t, o, "readwrite", `"0"`, `"1"`, `"2"`, `0`, `1`, `2`, `"rw"`, ``)
	setOneOf(t, o, "refreshcycle", `"1000"`, `250`, `"0"`, `""`, `null`, ``)
	setOneOf(t, o, "sensibility", `"0.1"`, `0.5`, `""`, `null`, ``)
	setOneOf(t, o, "minvalue", `"0"`, `-5`, `""`, `null`, ``)
	setOneOf(t, o, "maxvalue", `"100"`, `1e3`, `""`, `null`, ``)
	switch strings.ToUpper(typ) {
	case "BOOL":
		setOneOf(t, o, "defaultvalue", `"0"`, `"true"`, `false`, `""`, ``)
	case "INT":
		setOneOf(t, o, "defaultvalue", `"7"`, `8`, `""`, `null`, ``)
	case "FLOAT":
		setOneOf(t, o, "defaultvalue", `"60"`, `2.5`, `""`, ``)
	default:
		setOneOf(t, o, "defaultvalue", `"idle"`, `""`, `null`, ``)
		setOneOf(t, o, "regexp", `"[a-z]*"`, `""`, ``)
	}
	setOneOf(t, o, "unit", `"°C"`, `""`, ``)
	setOneOf(t, o, "value", `1`, `"x"`, `null`, ``)
	setOneOf(t, o, "timestamp", `1764000000000`, ``)
	setOneOf(t, o, "expr", `"x"`, `""`, ``)
	setOneOf(t, o, "extra", `[1,{"a":null}]`, ``)
	cfg := newObject()
	setOneOf(t, cfg, "param", `{"reg":1}`, `{}`, `null`, ``)
	if len(earlier) > 0 && rapid.Bool().Draw(t, "proxied") {
		cfg.set("proxy", mustJSON(map[string]any{"pointer": rapid.SampledFrom(earlier).Draw(t, "pointer"), "index": rapid.IntRange(0, 3).Draw(t, "index")}))
	}
	if len(earlier) > 0 && rapid.Bool().Draw(t, "ptParent") {
		cfg.set("parentId", mustJSON(rapid.SampledFrom(earlier).Draw(t, "ptParentID")))
	}
	setOneOf(t, cfg, "disabled", `true`, `false`, ``)
	if rapid.Bool().Draw(t, "hasConfig") || len(cfg.keys) > 0 {
		o.set("config", cfg.bytes())
	}
	return o.bytes()
}

// stripRaw clears what only the codec's bookkeeping holds.
func stripRaw(tb Table) Table {
	tb.Gateway.Raw = nil
	devs := make([]DeviceTable, len(tb.Devices))
	for i, dt := range tb.Devices {
		dt.Device.Raw = nil
		pts := make([]Point, len(dt.Points))
		for j, p := range dt.Points {
			p.Raw = nil
			pts[j] = p
		}
		dt.Points = pts
		devs[i] = dt
	}
	tb.Devices = devs
	return tb
}

func TestTBRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genTB(t)
		tb, _, err := DecodeTB(in)
		if err != nil {
			t.Fatalf("generated table rejected: %v\n%s", err, in)
		}
		out, err := EncodeTB(tb)
		if err != nil {
			t.Fatal(err)
		}
		av, _ := decodeAny(in)
		bv, _ := decodeAny(out)
		if !reflect.DeepEqual(av, bv) {
			t.Fatalf("round trip differs\nin:  %s\nout: %s", in, out)
		}
	})
}

// TestTBEditProperty edits decoded tables the way the API does and checks
// that an export carries every edit and nothing else changes.
func TestTBEditProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb, _, err := DecodeTB(genTB(t))
		if err != nil {
			t.Fatal(err)
		}
		editTable(t, &tb)
		out, err := EncodeTB(tb)
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := DecodeTB(out)
		if err != nil {
			t.Fatalf("edited export rejected: %v\n%s", err, out)
		}
		if want, got := stripRaw(tb), stripRaw(back); !reflect.DeepEqual(want, got) {
			t.Fatalf("edits lost\nwant %+v\ngot  %+v\n%s", want, got, out)
		}
	})
}

func editTable(t *rapid.T, tb *Table) {
	if rapid.Bool().Draw(t, "editGW") {
		tb.Gateway.Name = "renamed gw"
		tb.Gateway.Location = rapid.SampledFrom([]string{"", "1.5,2.5", "on the roof"}).Draw(t, "location")
	}
	for i := range tb.Devices {
		d := &tb.Devices[i].Device
		if rapid.Bool().Draw(t, "editDev") {
			d.Enabled = !d.Enabled
			d.Description = "edited"
			d.Driver = "modbus"
		}
		for j := range tb.Devices[i].Points {
			editPoint(t, &tb.Devices[i].Points[j])
		}
	}
}

func editPoint(t *rapid.T, p *Point) {
	switch rapid.IntRange(0, 6).Draw(t, "edit") {
	case 1:
		p.Name += " " + p.ID
		p.Unit = "kPa"
	case 2:
		p.IntervalMS = rapid.Int64Range(0, 100000).Draw(t, "interval")
		p.Deadband = rapid.SampledFrom([]float64{0, 0.25, 3}).Draw(t, "deadband")
	case 3:
		p.Access = rapid.SampledFrom([]driver.Access{driver.Read, driver.Write, driver.ReadWrite}).Draw(t, "access")
		p.Disabled = !p.Disabled
	case 4:
		p.Min, p.Max, p.Default = nil, nil, nil
	case 5:
		p.Expr = rapid.SampledFrom([]string{"", "x * 2"}).Draw(t, "expr")
		p.Proxy, p.Parent = nil, ""
	case 6:
		p.Config = json.RawMessage(`{"reg":42}`)
		p.Description = "changed"
	}
}

func TestTBFromModelProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb, _, err := DecodeTB(genTB(t))
		if err != nil {
			t.Fatal(err)
		}
		// The same table made through the API has no Raw: export writes
		// standard fields, and they read back as the same model.
		bare := stripRaw(tb)
		out, err := EncodeTB(bare)
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := DecodeTB(out)
		if err != nil {
			t.Fatalf("export of a bare table rejected: %v\n%s", err, out)
		}
		want := normalizeBare(bare)
		if got := stripRaw(back); !reflect.DeepEqual(want, got) {
			t.Fatalf("bare export lost data\nwant %+v\ngot  %+v\n%s", want, got, out)
		}
	})
}

// normalizeBare is what a bare table reads back as: standard fields always
// hold a config object, so "no config" becomes "{}".
func normalizeBare(tb Table) Table {
	for i := range tb.Devices {
		if tb.Devices[i].Device.Config == nil {
			tb.Devices[i].Device.Config = json.RawMessage("{}")
		}
		for j := range tb.Devices[i].Points {
			if tb.Devices[i].Points[j].Config == nil {
				tb.Devices[i].Points[j].Config = json.RawMessage("{}")
			}
		}
	}
	return tb
}
