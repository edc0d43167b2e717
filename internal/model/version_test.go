package model

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

func TestEffectiveDeviceConfig(t *testing.T) {
	devices := map[string]Device{
		"00000001": {ID: "00000001", Config: json.RawMessage(`{"host":"10.0.0.1","port":502,"opts":{"a":1,"b":2},"list":[1,2]}`)},
		"00000002": {ID: "00000002", Parent: "00000001", Config: json.RawMessage(`{"unit":3,"opts":{"b":9},"list":[7]}`)},
		"00000003": {ID: "00000003", Parent: "00000002", Config: json.RawMessage(`{"port":1502}`)},
		"00000004": {ID: "00000004", Parent: "00000009"},
		"00000005": {ID: "00000005", Parent: "00000006"},
		"00000006": {ID: "00000006", Parent: "00000005"},
		"00000007": {ID: "00000007", Config: json.RawMessage(`{ "own" : true }`)},
	}
	got, err := EffectiveDeviceConfig(devices, "00000003")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"host":"10.0.0.1","port":1502,"unit":3,"opts":{"a":1,"b":9},"list":[7]}`
	if !jsonEqual(got, json.RawMessage(want)) {
		t.Fatalf("merged = %s, want %s", got, want)
	}
	if got, _ := EffectiveDeviceConfig(devices, "00000007"); string(got) != `{ "own" : true }` {
		t.Fatalf("own config = %s", got)
	}
	for id, code := range map[string]codes.Code{"00000004": codes.TableNotValid, "00000005": codes.TableNotValid, "0000000f": codes.DeviceNotExist} {
		if _, err := EffectiveDeviceConfig(devices, id); codeOf(err) != code {
			t.Errorf("%s: %v, want %d", id, err, code)
		}
	}
}

func TestDeviceVersion(t *testing.T) {
	tb, _ := mustDecode(t, readSample(t))
	dt := tb.Devices[0]
	cfg := json.RawMessage(`{"a":1,"b":[1,2]}`)
	v1 := DeviceVersion(dt, cfg)
	if len(v1) != 64 {
		t.Fatalf("version %q", v1)
	}

	// Stable across an export and import, key order, spacing, timestamps.
	out, err := EncodeTB(tb)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := mustDecode(t, out)
	same := again.Devices[0]
	same.Device.UpdatedAt = time.Now()
	same.Device.Description = "edited"
	same.Points[4].Default = int64(60) // as a store might hand back a whole FLOAT default
	if v := DeviceVersion(same, json.RawMessage(`{ "b":[1,2], "a":1 }`)); v != v1 {
		t.Fatal("version changed without an engine-relevant change")
	}

	changes := map[string]func(*DeviceTable){
		"interval": func(d *DeviceTable) { d.Points[0].IntervalMS++ },
		"config":   func(d *DeviceTable) { d.Points[0].Config = json.RawMessage(`{}`) },
		"disabled": func(d *DeviceTable) { d.Points[1].Disabled = true },
		"driver":   func(d *DeviceTable) { d.Device.Driver = "modbus" },
		"order":    func(d *DeviceTable) { d.Points[0], d.Points[1] = d.Points[1], d.Points[0] },
		"enabled":  func(d *DeviceTable) { d.Device.Enabled = false },
		"expr":     func(d *DeviceTable) { d.Points[2].Expr = "x+1" },
	}
	for name, change := range changes {
		c := DeviceTable{Device: dt.Device, Points: append([]Point(nil), dt.Points...)}
		change(&c)
		if DeviceVersion(c, cfg) == v1 {
			t.Errorf("%s: version did not change", name)
		}
	}
	if DeviceVersion(dt, json.RawMessage(`{"a":2}`)) == v1 {
		t.Error("effective config change kept the version")
	}
}

func TestToDriverDevice(t *testing.T) {
	dt := DeviceTable{
		Device: Device{ID: "00000001", Gateway: testGW, Name: "d", Driver: "modbus", Subscribe: []string{"00000002.*"}},
		Points: []Point{
			{ID: "0001", Name: "base", Type: driver.Int, Access: driver.Read, Config: json.RawMessage(`{"unit":1,"reg":10}`), Disabled: true},
			{ID: "0002", Name: "child", Type: driver.Int, Access: driver.ReadWrite, IntervalMS: 1500, Default: 5.0,
				Parent: "0001", Config: json.RawMessage(`{"reg":11}`), Proxy: &driver.Proxy{Pointer: "0003", Index: 2}},
			{ID: "0003", Name: "plain", Type: driver.Bool, Access: driver.Read, Default: "0", Config: json.RawMessage(`{"coil":1}`)},
			{ID: "0004", Name: "loop", Type: driver.Float, Access: driver.Read, Parent: "0004", Config: json.RawMessage(`{"x":1}`)},
		},
	}
	cfg := json.RawMessage(`{"host":"127.0.0.1"}`)
	d := ToDriverDevice(dt, cfg)
	if d.ID != "00000001" || d.Gateway != testGW || d.Driver != "modbus" || string(d.Config) != string(cfg) || len(d.Subscribe) != 1 {
		t.Fatalf("device = %+v", d)
	}
	if len(d.Points) != 3 || d.Points[0].ID != "0002" || d.Points[1].ID != "0003" || d.Points[2].ID != "0004" {
		t.Fatalf("points = %+v", d.Points)
	}
	child := d.Points[0]
	if child.Interval != 1500*time.Millisecond || child.Default != int64(5) || child.Proxy.Index != 2 ||
		!jsonEqual(child.Config, json.RawMessage(`{"unit":1,"reg":11}`)) {
		t.Fatalf("child = %+v (config %s)", child, child.Config)
	}
	if d.Points[1].Default != false || string(d.Points[2].Config) != `{"x":1}` {
		t.Fatalf("points = %+v", d.Points)
	}
}
