package mqtt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// loadSample reads testdata/sample.json, the README's example device.
func loadSample(t *testing.T) driver.Device {
	t.Helper()
	raw, err := os.ReadFile("testdata/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		ID     string          `json:"id"`
		Name   string          `json:"name"`
		Config json.RawMessage `json:"config"`
		Points []struct {
			ID     string          `json:"id"`
			Name   string          `json:"name"`
			Type   driver.Type     `json:"type"`
			Access driver.Access   `json:"access"`
			Config json.RawMessage `json:"config"`
		} `json:"points"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	dev := driver.Device{Gateway: testGateway, ID: s.ID, Name: s.Name, Driver: "mqtt", Config: s.Config}
	for _, p := range s.Points {
		dev.Points = append(dev.Points, driver.Point{ID: p.ID, Name: p.Name, Type: p.Type, Access: p.Access, Config: p.Config})
	}
	return dev
}

func TestSampleConfigIsValid(t *testing.T) {
	m := New().(*MQTT)
	if err := m.Init(drivertest.NewHost(t), loadSample(t)); err != nil {
		t.Fatalf("sample.json: %v", err)
	}
	if m.cfg.version != 5 || m.cfg.qos != 1 || m.cfg.clientID != "iotos-greenhouse" {
		t.Errorf("settings %+v", m.cfg)
	}
	if got := strings.Join(m.routes.filters, ","); got != "greenhouse/climate,greenhouse/+/soil,greenhouse/fan/state,greenhouse/status" {
		t.Errorf("filters %s", got)
	}
}

func TestDefaults(t *testing.T) {
	s, err := parseDevice(driver.Device{Gateway: testGateway, ID: "5b000001", Config: json.RawMessage(`{"url":"mqtts://broker.local"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if s.url.Host != "broker.local:8883" || s.version != 3 || s.qos != 0 || s.clientID != "iotos-012345675b000001" ||
		s.keepAlive != defaultKeepAlive || s.reconnectMax != defaultReconnectMax {
		t.Errorf("defaults: %+v (url %s)", s, s.url)
	}
	if len(s.clientID) > 23 {
		t.Errorf("default client ID %q is longer than the 23 characters every 3.1.1 broker accepts", s.clientID)
	}
}

// TestInitRejects: every configuration mistake fails Init with 105 and a
// message naming the device and what is wrong.
func TestInitRejects(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	readPt := map[string]any{"topic": "a"}
	cases := []struct {
		name   string
		dev    map[string]any
		access driver.Access
		pt     map[string]any
		want   string
	}{
		{"no url", map[string]any{}, driver.Read, readPt, "url is required"},
		{"bad scheme", map[string]any{"url": "tcp://h:1"}, driver.Read, readPt, "scheme"},
		{"path in url", map[string]any{"url": "mqtt://h:1/x"}, driver.Read, readPt, "want mqtt://host:port"},
		{"credentials in url", map[string]any{"url": "mqtt://u:p@h:1"}, driver.Read, readPt, "username/password"},
		{"version", map[string]any{"url": "mqtt://h", "version": 4}, driver.Read, readPt, "version 4"},
		{"qos", map[string]any{"url": "mqtt://h", "qos": 3}, driver.Read, readPt, "qos 3"},
		{"keepalive", map[string]any{"url": "mqtt://h", "keepalive": "10ms"}, driver.Read, readPt, "keepalive"},
		{"tls files on mqtt", map[string]any{"url": "mqtt://h", "ca_file": notPEM}, driver.Read, readPt, "need an mqtts"},
		{"cert without key", map[string]any{"url": "mqtts://h", "cert_file": notPEM}, driver.Read, readPt, "go together"},
		{"ca not PEM", map[string]any{"url": "mqtts://h", "ca_file": notPEM}, driver.Read, readPt, "no PEM"},
		{"ca missing", map[string]any{"url": "mqtts://h", "ca_file": filepath.Join(dir, "none")}, driver.Read, readPt, "ca_file"},
		{"no topic", map[string]any{"url": "mqtt://h"}, driver.Read, map[string]any{}, "topic is required"},
		{"bad filter", map[string]any{"url": "mqtt://h"}, driver.Read, map[string]any{"topic": "a/#/b"}, "last level"},
		{"bad path", map[string]any{"url": "mqtt://h"}, driver.Read, map[string]any{"topic": "a", "path": "temp"}, "must start with $"},
		{"no write topic", map[string]any{"url": "mqtt://h"}, driver.ReadWrite, readPt, "write_topic is required"},
		{"wildcard write topic", map[string]any{"url": "mqtt://h"}, driver.Write, map[string]any{"write_topic": "a/+"}, "wildcards"},
		{"template without value", map[string]any{"url": "mqtt://h"}, driver.Write,
			map[string]any{"write_topic": "a", "write_payload": "{{ value }}"}, "has no {{value}}"},
		{"unknown point key", map[string]any{"url": "mqtt://h"}, driver.Read, map[string]any{"topic": "a", "qos": 1}, "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := New().Init(drivertest.NewHost(t), device(t, c.dev, point(t, "0001", driver.Float, c.access, c.pt)))
			if code := drivertest.ErrorCode(err); code != driver.CodeArgError {
				t.Fatalf("Init: %v (code %d), want code 105", err, code)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "device 5b000001") {
				t.Errorf("Init: %q, want it to name the device and say %q", err, c.want)
			}
		})
	}
}

// TestSpecMatchesConfig keeps the spec, which drives forms and docs, in step
// with the fields the decoder accepts.
func TestSpecMatchesConfig(t *testing.T) {
	check := func(fields []driver.Field, v any) {
		var want, got []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			want = append(want, rt.Field(i).Tag.Get("json"))
		}
		for _, f := range fields {
			got = append(got, f.Name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("spec fields %v, config fields %v", got, want)
		}
	}
	check(spec.Device, deviceConfig{})
	check(spec.Point, pointConfig{})
	if got := spec.SecretFields(); !reflect.DeepEqual(got, []string{"password"}) {
		t.Errorf("secret fields %v, want [password]", got)
	}
	if r, ok := driver.Lookup("mqtt"); !ok || r.Spec.Name != "mqtt" {
		t.Error("driver not registered as mqtt")
	}
}
