package opcua

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

func TestParseDeviceDefaults(t *testing.T) {
	s, err := parseDevice(json.RawMessage(`{"endpoint": "opc.tcp://127.0.0.1:4840"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.timeout != defaultTimeout || s.watchdog != defaultWatchdog || s.username != "" {
		t.Fatalf("defaults: %+v", s)
	}
	s, err = parseDevice(json.RawMessage(`{"endpoint": "opc.tcp://plc:4840/ua", "username": "u", "password": "p", "timeout": 1500, "watchdog_interval": "250ms"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.timeout != 1500*time.Millisecond || s.watchdog != 250*time.Millisecond || s.username != "u" || s.password != "p" {
		t.Fatalf("parsed: %+v", s)
	}
}

// TestInitRejects: every configuration mistake fails Init with 105 and says
// which device or point is wrong.
func TestInitRejects(t *testing.T) {
	ok := map[string]any{"endpoint": "opc.tcp://127.0.0.1:4840"}
	good := point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0)
	cases := []struct {
		name   string
		device map[string]any
		p      driver.Point
	}{
		{"missing endpoint", map[string]any{}, good},
		{"http endpoint", map[string]any{"endpoint": "http://127.0.0.1:4840"}, good},
		{"bare scheme", map[string]any{"endpoint": "opc.tcp://"}, good},
		{"password without user", map[string]any{"endpoint": "opc.tcp://h:1", "password": "x"}, good},
		{"zero timeout", map[string]any{"endpoint": "opc.tcp://h:1", "timeout": "0s"}, good},
		{"bad duration", map[string]any{"endpoint": "opc.tcp://h:1", "watchdog_interval": "soon"}, good},
		{"unknown device key", map[string]any{"endpoint": "opc.tcp://h:1", "url": "x"}, good},
		{"missing node", ok, point("0001", driver.Float, driver.Read, "", "", 0)},
		{"malformed node", ok, point("0001", driver.Float, driver.Read, "ns=x;s=A", "", 0)},
		{"unknown mode", ok, point("0001", driver.Float, driver.Read, "ns=2;s=A", "push", 0)},
		{"subscribe write-only", ok, point("0001", driver.Float, driver.Write, "ns=2;s=A", modeSubscribe, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := New().Init(drivertest.NewHost(t), deviceFor(c.device, c.p))
			if code := drivertest.ErrorCode(err); code != driver.CodeArgError {
				t.Fatalf("Init: %v (code %d), want 105", err, code)
			}
		})
	}
}

// TestSampleConfigIsValid keeps testdata/sample.json, which the README
// points at, a configuration Init accepts.
func TestSampleConfigIsValid(t *testing.T) {
	raw, err := os.ReadFile("testdata/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample struct {
		Device json.RawMessage `json:"device"`
		Points []struct {
			ID       string          `json:"id"`
			Type     driver.Type     `json:"type"`
			Access   driver.Access   `json:"access"`
			Interval int             `json:"interval_ms"`
			Config   json.RawMessage `json:"config"`
		} `json:"points"`
	}
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	dev := driver.Device{ID: "0a0b0c0d", Config: sample.Device}
	for _, p := range sample.Points {
		dev.Points = append(dev.Points, driver.Point{ID: p.ID, Type: p.Type, Access: p.Access,
			Interval: time.Duration(p.Interval) * time.Millisecond, Config: p.Config})
	}
	if err := New().Init(drivertest.NewHost(t), dev); err != nil {
		t.Fatal(err)
	}
}

func TestRegistered(t *testing.T) {
	r, ok := driver.Lookup("opcua")
	if !ok {
		t.Fatal("opcua is not registered")
	}
	if got := r.Spec.SecretFields(); len(got) != 1 || got[0] != "password" {
		t.Fatalf("secret fields %v, want [password]", got)
	}
}
