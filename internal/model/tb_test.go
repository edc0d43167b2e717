package model

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

func readSample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/sample.tb")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameJSON reports whether a and b are the same JSON value, ignoring key
// order and spacing but not number spelling.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	av, err := decodeAny(a)
	if err != nil {
		t.Fatalf("decode a: %v", err)
	}
	bv, err := decodeAny(b)
	if err != nil {
		t.Fatalf("decode b: %v", err)
	}
	return reflect.DeepEqual(av, bv)
}

func mustDecode(t *testing.T, data []byte) (Table, []Problem) {
	t.Helper()
	tb, warns, err := DecodeTB(data)
	if err != nil {
		t.Fatalf("DecodeTB: %v (%+v)", err, codes.From(err).Data)
	}
	return tb, warns
}

func TestDecodeTBSample(t *testing.T) {
	tb, warns := mustDecode(t, readSample(t))
	g := tb.Gateway
	if g.ID != "5f3c2a10b7e44d0c9a1e2b3c4d5e6f70" || g.Name != "sample-gateway" || g.Location != "39.908,116.397" {
		t.Fatalf("gateway = %+v", g)
	}
	if strings.Contains(string(g.Raw), "properties") {
		t.Fatal("gateway Raw keeps properties")
	}
	if len(tb.Devices) != 1 {
		t.Fatalf("devices = %d", len(tb.Devices))
	}
	d := tb.Devices[0].Device
	if d.ID != "1a2b3c4d" || d.Gateway != g.ID || d.Driver != "simulator" || !d.Enabled || d.Name != "boiler" {
		t.Fatalf("device = %+v", d)
	}
	var ids []string
	for _, p := range tb.Devices[0].Points {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "0a01,0a02,0a03,0a04,0a05" {
		t.Fatalf("point order = %v", ids)
	}
	p := tb.Devices[0].Points[0]
	if p.Type != driver.Float || p.Access != driver.Read || p.IntervalMS != 1000 || p.Deadband != 0.1 ||
		*p.Min != 0 || *p.Max != 120 || p.Default != nil || p.Unit != "°C" || p.FullID() != g.ID+".1a2b3c4d.0a01" {
		t.Fatalf("point 0a01 = %+v", p)
	}
	if !jsonEqual(p.Config, json.RawMessage(`{"change":"random","min":40,"max":90}`)) {
		t.Fatalf("config = %s", p.Config)
	}
	target := tb.Devices[0].Points[4]
	if target.Access != driver.ReadWrite || target.Default != 60.0 || target.IntervalMS != 0 {
		t.Fatalf("point 0a05 = %+v", target)
	}
	// BOOL and STRING points carry legacy min/max and sensibility.
	if len(warns) != 4 {
		t.Fatalf("warnings = %+v", warns)
	}
}

func TestEncodeTBSampleRoundTrip(t *testing.T) {
	in := readSample(t)
	tb, _ := mustDecode(t, in)
	out, err := EncodeTB(tb)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, in, out) {
		t.Fatalf("round trip differs:\n%s", out)
	}
	// Key order of devices and points is table order.
	if strings.Index(string(out), `"0a01"`) > strings.Index(string(out), `"0a05"`) {
		t.Fatal("point order lost")
	}
}

func TestEncodeTBChangedFieldsKeepOthers(t *testing.T) {
	tb, _ := mustDecode(t, readSample(t))
	pts := tb.Devices[0].Points
	pts[0].Access = driver.ReadWrite
	max := 150.0
	pts[0].Max = &max
	pts[0].Expr = "x * 2"
	pts[1].Disabled = true
	pts[2].Proxy = &driver.Proxy{Pointer: "0a01", Index: 1}
	tb.Devices[0].Device.Subscribe = []string{"1a2b3c4d.*"}
	tb.Gateway.Name = "renamed"
	out, err := EncodeTB(tb)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := mustDecode(t, out)
	ap := again.Devices[0].Points
	if ap[0].Access != driver.ReadWrite || *ap[0].Max != 150 || ap[0].Expr != "x * 2" || !ap[1].Disabled ||
		ap[2].Proxy == nil || *ap[2].Proxy != (driver.Proxy{Pointer: "0a01", Index: 1}) ||
		again.Gateway.Name != "renamed" || !equalStrings(again.Devices[0].Device.Subscribe, []string{"1a2b3c4d.*"}) {
		t.Fatalf("changes lost:\n%s", out)
	}
	for _, keep := range []string{`"owner": "self"`, `"timestamp": 1764000000.0`, `"readwrite": "0"`, `"maxvalue": "150"`} {
		if !strings.Contains(string(out), keep) {
			t.Errorf("export lacks %s", keep)
		}
	}
}

func TestEncodeTBWithoutRaw(t *testing.T) {
	min, max := 0.0, 10.0
	tb := Table{
		Gateway: Gateway{ID: strings.Repeat("ab", 16), Name: "gw", Location: "1.5,2.5"},
		Devices: []DeviceTable{{
			Device: Device{ID: "00000001", Name: "dev", Driver: "python/dr_x.XDriver", Enabled: false,
				Config: json.RawMessage(`{"host":"127.0.0.1"}`), Subscribe: []string{"00000002.*"}},
			Points: []Point{{ID: "0001", Name: "p", Type: driver.Int, Access: driver.Write, Min: &min, Max: &max,
				Default: int64(3), IntervalMS: 500, Deadband: 1, Pattern: "", Expr: "x + 1",
				Config: json.RawMessage(`{"reg":1}`), Parent: "", Proxy: nil}},
		}, {
			Device: Device{ID: "00000002", Name: "dev2", Driver: "simulator", Enabled: true},
		}},
	}
	out, err := EncodeTB(tb)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := mustDecode(t, out)
	d := got.Devices[0].Device
	if d.Driver != tb.Devices[0].Device.Driver || d.Enabled || !equalStrings(d.Subscribe, []string{"00000002.*"}) ||
		got.Gateway.Location != "1.5,2.5" {
		t.Fatalf("device = %+v\n%s", d, out)
	}
	p := got.Devices[0].Points[0]
	if p.Type != driver.Int || p.Access != driver.Write || *p.Min != 0 || *p.Max != 10 || p.Default != int64(3) ||
		p.IntervalMS != 500 || p.Deadband != 1 || p.Expr != "x + 1" {
		t.Fatalf("point = %+v\n%s", p, out)
	}
	out2, err := EncodeTB(got)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, out, out2) {
		t.Fatalf("second export differs:\n%s\n%s", out, out2)
	}
}

func tableProblems(t *testing.T, data string) []Problem {
	t.Helper()
	tb, _, err := DecodeTB([]byte(data))
	if err == nil {
		t.Fatalf("DecodeTB accepted %s", data)
	}
	if !reflect.DeepEqual(tb, Table{}) {
		t.Fatal("partial table returned with an error")
	}
	var ce *codes.Error
	if !errors.As(err, &ce) || ce.Code != codes.TableNotValid {
		t.Fatalf("error = %v, want code 514", err)
	}
	return ce.Data.([]Problem)
}

func hasProblem(ps []Problem, path, field string) bool {
	for _, p := range ps {
		if p.Path == path && p.Field == field {
			return true
		}
	}
	return false
}

func TestDecodeTBListsEveryProblem(t *testing.T) {
	const bad = `{
	  "id": "XYZ",
	  "name": "gw",
	  "properties": {
	    "1a2b3c4d": {"name": "a", "config": {"driver": "simulator", "parentId": "99999999"},
	      "data": {
	        "0001": {"name": "p", "valuetype": "DOUBLE", "readwrite": "1"},
	        "0002": {"name": "p", "valuetype": "INT", "readwrite": "7", "defaultvalue": "3.5"},
	        "0003": {"name": "q", "valuetype": "INT", "refreshcycle": "fast", "minvalue": "5", "maxvalue": "1"},
	        "0004": {"name": "r", "valuetype": "STRING", "regexp": "(", "config": {"proxy": {"pointer": "0fff", "index": 0}}},
	        "0005": {"name": "s", "valuetype": "FLOAT", "expr": "x +", "config": {"parentId": "0006"}},
	        "0006": {"name": "t", "valuetype": "FLOAT", "config": {"parentId": "0005"}},
	        "BAD1": {"name": "u", "valuetype": "BOOL"}
	      }},
	    "2b": {"name": "a", "config": {"driver": "../../bin/sh"}, "data": {}},
	    "3c3c3c3c": [1, 2]
	  }
	}`
	ps := tableProblems(t, bad)
	want := []struct{ path, field string }{
		{"", "id"},
		{"properties.1a2b3c4d", "config.parentId"},
		{"properties.1a2b3c4d.data.0001", "valuetype"},
		{"properties.1a2b3c4d.data.0002", "readwrite"},
		{"properties.1a2b3c4d.data.0002", "defaultvalue"},
		{"properties.1a2b3c4d.data.0002", "name"},
		{"properties.1a2b3c4d.data.0003", "refreshcycle"},
		{"properties.1a2b3c4d.data.0003", "minvalue"},
		{"properties.1a2b3c4d.data.0004", "regexp"},
		{"properties.1a2b3c4d.data.0004", "config.proxy"},
		{"properties.1a2b3c4d.data.0005", "expr"},
		{"properties.1a2b3c4d.data.0005", "config.parentId"},
		{"properties.1a2b3c4d.data.BAD1", "id"},
		{"properties.2b", "id"},
		{"properties.2b", "name"},
		{"properties.2b", "config.driver"},
		{"properties.3c3c3c3c", ""},
	}
	for _, w := range want {
		if !hasProblem(ps, w.path, w.field) {
			t.Errorf("missing problem %s / %s", w.path, w.field)
		}
	}
	if t.Failed() {
		t.Logf("problems: %+v", ps)
	}
}

func TestDecodeTBRejects(t *testing.T) {
	for name, data := range map[string]string{
		"malformed":     `{"id": `,
		"not object":    `[1]`,
		"trailing":      `{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"g"} {}`,
		"duplicate dev": `{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"g","properties":{"00000001":{"name":"a","config":{"driver":"simulator"}},"00000001":{"name":"b","config":{"driver":"simulator"}}}}`,
		"uuid mismatch": `{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","gateway_uuid":"00000000000000000000000000000000","name":"g"}`,
		"device cycle":  `{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"g","properties":{"00000001":{"name":"a","config":{"driver":"simulator","parentId":"00000002"}},"00000002":{"name":"b","config":{"driver":"simulator","parentId":"00000001"}}}}`,
		"bad sub":       `{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"g","properties":{"00000001":{"name":"a","config":{"driver":"simulator","param":{"sub":"x"}}}}}`,
		"enabled junk":  `{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"g","properties":{"00000001":{"name":"a","config":{"driver":"simulator","enabled":"maybe"}}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if ps := tableProblems(t, data); len(ps) == 0 {
				t.Fatal("no problems listed")
			}
		})
	}
}

func TestDecodeTBLegacySpellings(t *testing.T) {
	const legacy = `{
	  "id": 17, "gateway_uuid": "5f3c2a10b7e44d0c9a1e2b3c4d5e6f70", "name": "g", "description": null,
	  "properties": {
	    "00000001": {"id": 3, "name": "parent", "config": {"driver": "python/dr_modbus.ModbusDriver", "param": {"host": "127.0.0.1", "sub": ["00000002.*"]}, "enabled": "0"},
	      "data": {
	        "0001": {"name": "a", "valuetype": "int", "readwrite": 2, "refreshcycle": 250, "minvalue": null, "maxvalue": 10,
	          "defaultvalue": 4, "sensibility": "", "config": {"param": {"reg": 1}, "proxy": {"pointer": "0002", "index": "1"}, "parentId": "0002", "disabled": 1}},
	        "0002": {"name": "b", "valuetype": "BOOL", "readwrite": "0", "defaultvalue": "0", "config": {}}
	      }},
	    "00000002": {"name": "child", "config": {"driver": "simulator", "parentId": "00000001", "param": {}}, "data": {}}
	  }
	}`
	tb, _ := mustDecode(t, []byte(legacy))
	d := tb.Devices[0].Device
	if d.Enabled || !equalStrings(d.Subscribe, []string{"00000002.*"}) || !strings.Contains(string(d.Config), `"sub"`) {
		t.Fatalf("device = %+v", d)
	}
	p := tb.Devices[0].Points[0]
	if p.Type != driver.Int || p.Access != driver.Write || p.IntervalMS != 250 || p.Min != nil || *p.Max != 10 ||
		p.Default != int64(4) || p.Proxy.Index != 1 || p.Parent != "0002" || !p.Disabled {
		t.Fatalf("point = %+v", p)
	}
	if b := tb.Devices[0].Points[1]; b.Default != false {
		t.Fatalf(`BOOL default "0" = %v, want false`, b.Default)
	}
	out, err := EncodeTB(tb)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, []byte(legacy), out) {
		t.Fatalf("legacy round trip differs:\n%s", out)
	}
}

func TestDecodeTBWithoutGatewayIdentity(t *testing.T) {
	tb, _, err := DecodeTB([]byte(`{"properties": {"1a2b3c4d": {"name": "d", "config": {"driver": "simulator"},
		"data": {"0a01": {"name": "p", "valuetype": "INT", "readwrite": "1"}}}}}`))
	if err != nil {
		t.Fatalf("a table without id and name must decode (it takes the gateway it is imported into): %v", err)
	}
	if tb.Gateway.ID != "" || len(tb.Devices) != 1 || len(tb.Devices[0].Points) != 1 {
		t.Fatalf("decoded %+v", tb)
	}
	if _, _, err := DecodeTB([]byte(`{"id": "123", "properties": {}}`)); err == nil {
		t.Fatal("a malformed id must still be rejected")
	}
}
