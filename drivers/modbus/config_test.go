package modbus

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

func TestRegistered(t *testing.T) {
	r, ok := driver.Lookup("modbus")
	if !ok || r.Spec.Name != "modbus" || len(r.Spec.Device) == 0 || len(r.Spec.Point) == 0 {
		t.Fatalf("registration %+v, %v", r, ok)
	}
	if _, ok := r.Factory().(*Modbus); !ok {
		t.Fatal("factory does not build a *Modbus")
	}
	for _, f := range append(r.Spec.Device, r.Spec.Point...) {
		if f.Name == "" || f.Type == "" || f.Description == "" {
			t.Errorf("field %+v lacks a name, type or description", f)
		}
	}
}

func TestDeviceURLs(t *testing.T) {
	for _, c := range []struct {
		url  string
		want mb.ClientConfiguration
	}{
		{"tcp://127.0.0.1:502", mb.ClientConfiguration{URL: "tcp://127.0.0.1:502"}},
		{"rtuovertcp://10.0.0.1:4001", mb.ClientConfiguration{URL: "rtuovertcp://10.0.0.1:4001"}},
		{"rtu:///dev/ttyUSB0?baud=19200&parity=E&stop=1", mb.ClientConfiguration{URL: "rtu:///dev/ttyUSB0", Speed: 19200, DataBits: 8, StopBits: 1, Parity: mb.PARITY_EVEN}},
		{"rtu:///dev/ttyS1", mb.ClientConfiguration{URL: "rtu:///dev/ttyS1", Speed: 9600, DataBits: 8, StopBits: 1}},
	} {
		got, err := clientConfig(c.url)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}

// Every configuration mistake fails Init with code 105 and names the field.
func TestInitRejectsBadConfig(t *testing.T) {
	good := map[string]any{"area": "holding", "address": 0}
	for _, c := range []struct {
		name   string
		device string
		point  map[string]any
	}{
		{"no url", `{}`, good},
		{"bad scheme", `{"url":"http://x:1"}`, good},
		{"no port", `{"url":"tcp://localhost"}`, good},
		{"bad parity", `{"url":"rtu:///dev/ttyS0?parity=X"}`, good},
		{"bad baud", `{"url":"rtu:///dev/ttyS0?baud=fast"}`, good},
		{"unknown key", `{"url":"tcp://h:1","speed":1}`, good},
		{"unit id", `{"url":"tcp://h:1","unit_id":256}`, good},
		{"max registers", `{"url":"tcp://h:1","max_registers":126}`, good},
		{"max bits", `{"url":"tcp://h:1","max_bits":2001}`, good},
		{"max gap", `{"url":"tcp://h:1","max_gap":-1}`, good},
		{"timeout", `{"url":"tcp://h:1","timeout":"soon"}`, good},
		{"area", `{"url":"tcp://h:1"}`, map[string]any{"area": "memory", "address": 0}},
		{"no address", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding"}},
		{"address", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 65536}},
		{"type", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "type": "int8"}},
		{"order", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "type": "int32", "order": "ACBD"}},
		{"bit range", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "bit": 16}},
		{"bit of int32", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "bit": 1, "type": "int32"}},
		{"coil type", `{"url":"tcp://h:1"}`, map[string]any{"area": "coil", "address": 0, "type": "uint16"}},
		{"coil scale", `{"url":"tcp://h:1"}`, map[string]any{"area": "coil", "address": 0, "scale": 2}},
		{"zero scale", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "scale": 0}},
		{"string length", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "type": "string"}},
		{"length of int", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "length": 2}},
		{"past the end", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 65534, "type": "float64"}},
		{"wider than max", `{"url":"tcp://h:1","max_registers":2}`, map[string]any{"area": "holding", "address": 0, "type": "float64"}},
		{"unknown point key", `{"url":"tcp://h:1"}`, map[string]any{"area": "holding", "address": 0, "adress": 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dev := driver.Device{ID: "0000000c", Config: json.RawMessage(c.device), Points: []driver.Point{point("0001", driver.Int, c.point)}}
			err := New().Init(newHost(t), dev)
			if codeOfErr(err) != driver.CodeArgError {
				t.Fatalf("Init: %v, want code 105", err)
			}
		})
	}
}

// The sample configuration shipped with the driver stays valid.
func TestSampleConfig(t *testing.T) {
	raw, err := os.ReadFile("testdata/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Device json.RawMessage `json:"device"`
		Points []struct {
			ID     string          `json:"id"`
			Type   driver.Type     `json:"type"`
			Config json.RawMessage `json:"config"`
		} `json:"points"`
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	dev := driver.Device{ID: "0000000d", Config: sample.Device}
	for _, p := range sample.Points {
		dev.Points = append(dev.Points, driver.Point{ID: p.ID, Type: p.Type, Config: p.Config})
	}
	if len(dev.Points) == 0 {
		t.Fatal("sample has no points")
	}
	if err := New().Init(newHost(t), dev); err != nil {
		t.Fatalf("sample config: %v", err)
	}
}
