package http

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

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
	dev := device(string(s.Config))
	dev.ID, dev.Name = s.ID, s.Name
	for _, p := range s.Points {
		dev.Points = append(dev.Points, driver.Point{ID: p.ID, Name: p.Name, Type: p.Type, Access: p.Access, Config: p.Config})
	}
	return dev
}

func TestSampleConfigIsValid(t *testing.T) {
	d := start(t, loadSample(t))
	if d.cfg.timeout != 5*time.Second || !d.cfg.insecure || d.cfg.auth.Type != authBearer || d.cfg.maxResponseSize != 1<<20 {
		t.Errorf("settings %+v", d.cfg)
	}
	want := map[string]string{
		"0001": "https://heatpump.local/api/v1/status",
		"0003": "https://heatpump.local/api/v1/meters?unit=kwh",
		"0004": "https://heatpump.local/api/v1/status",
	}
	for id, u := range want {
		if d.bindings[id].url != u {
			t.Errorf("point %s polls %s, want %s", id, d.bindings[id].url, u)
		}
	}
	if w := d.bindings["0004"].write; w.method != "PUT" || w.url.String() != "https://heatpump.local/api/v1/circuits/0/setpoint" {
		t.Errorf("write of 0004: %s %s", w.method, w.url)
	}
	if w := d.bindings["0005"].write; w.method != "POST" || w.url.String() != "https://heatpump.local/api/v1/mode" {
		t.Errorf("write of 0005: %s %s", w.method, w.url)
	}
}

// TestSpec: the driver is registered as http and its credentials are
// write-only.
func TestSpec(t *testing.T) {
	reg, ok := driver.Lookup("http")
	if !ok {
		t.Fatal("http is not registered")
	}
	if got := reg.Spec.SecretFields(); !slices.Equal(got, []string{"auth"}) {
		t.Errorf("secret fields %v, want [auth]", got)
	}
	if _, isHTTP := reg.Factory().(*HTTP); !isHTTP {
		t.Error("the factory does not make an *HTTP")
	}
}

// TestSecretsDoNotPrint: formatted settings never show a password or token.
func TestSecretsDoNotPrint(t *testing.T) {
	s, err := parseDevice(json.RawMessage(`{"url": "http://h", "auth": {"type": "basic", "username": "op", "password": "hunter2"}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, "hunter2") {
			t.Errorf("%s shows the password: %s", f, out)
		}
	}
}

// TestInitRejects: every configuration mistake fails Init with 105 and a
// message naming the device, the point where there is one, and the cause.
func TestInitRejects(t *testing.T) {
	const ok = `{"url": "http://127.0.0.1:1/"}`
	cases := []struct {
		dev, point string
		access     driver.Access
		want       string
	}{
		{`{}`, `{}`, driver.Read, "url is required"},
		{`{"url": "ftp://h/x"}`, `{}`, driver.Read, "want http://"},
		{`{"url": "http:///path"}`, `{}`, driver.Read, "want http://"},
		{`{"url": "http://h", "method": "HEAD"}`, `{}`, driver.Read, "method"},
		{`{"url": "http://h", "body": "{}"}`, `{}`, driver.Read, "body needs method"},
		{`{"url": "http://h", "timeout": "-1s"}`, `{}`, driver.Read, "timeout"},
		{`{"url": "http://h", "timeout": "soon"}`, `{}`, driver.Read, "duration"},
		{`{"url": "http://h", "max_response_size": 0}`, `{}`, driver.Read, "max_response_size"},
		{`{"url": "http://h", "headers": {"bad name": "x"}}`, `{}`, driver.Read, "header name"},
		{`{"url": "http://h", "headers": {"X-A": "1\r\nX-B: 2"}}`, `{}`, driver.Read, "control character"},
		{`{"url": "http://h", "headers": {"x-a": "1", "X-A": "2"}}`, `{}`, driver.Read, "set twice"},
		{`{"url": "http://h", "auth": {"type": "digest"}}`, `{}`, driver.Read, "want none, basic or bearer"},
		{`{"url": "http://h", "auth": {"type": "basic"}}`, `{}`, driver.Read, "needs username"},
		{`{"url": "http://h", "auth": {"type": "bearer"}}`, `{}`, driver.Read, "needs token"},
		{`{"url": "http://h", "auth": {"token": "t"}}`, `{}`, driver.Read, "type is none"},
		{`{"url": "http://h", "auth": {"type": "bearer", "token": "t"}, "headers": {"authorization": "x"}}`, `{}`, driver.Read, "Authorization header"},
		{`{"url": "http://h", "auth": {"type": "basic", "user": "op"}}`, `{}`, driver.Read, "unknown field"},
		{ok, `{"path": "$.a[*]"}`, driver.Read, "not supported"},
		{ok, `{"path": "temp"}`, driver.Read, "must start with $"},
		{ok, `{"url": "::"}`, driver.Read, "url"},
		{`{}`, `{"url": "/relative"}`, driver.Read, "relative"},
		{ok, `{"pth": "$.a"}`, driver.Read, "unknown field"},
		{ok, `{}`, driver.ReadWrite, "needs a write object"},
		{ok, `{"write": {}}`, driver.Read, "does not allow writes"},
		{ok, `{"write": {"method": "TRACE"}}`, driver.Write, "write method"},
		{ok, `{"write": {"method": "GET"}}`, driver.Write, "write body needs"},
		{ok, `{"write": {"body": "{{valeu}}"}}`, driver.Write, "unknown placeholder"},
		{ok, `{"write": {"success_codes": [2000]}}`, driver.Write, "not an HTTP status"},
		{ok, `{"write": {"headers": {"X:Y": "1"}}}`, driver.Write, "header name"},
	}
	for _, c := range cases {
		dev := device(c.dev, pt("00a1", driver.Float, c.access, c.point))
		err := New().Init(drivertest.NewHost(t), dev)
		if err == nil {
			t.Errorf("%s / %s: accepted", c.dev, c.point)
			continue
		}
		if drivertest.ErrorCode(err) != driver.CodeArgError || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "7e000001") {
			t.Errorf("%s / %s: %v, want 105 mentioning %q", c.dev, c.point, err, c.want)
		}
	}
}

// TestDefaults: an empty config applies the documented defaults.
func TestDefaults(t *testing.T) {
	s, err := parseDevice(json.RawMessage(`{"url": "http://h/x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.method != defaultMethod || s.timeout != defaultTimeout || s.maxResponseSize != defaultMaxResponseSize ||
		s.auth.Type != authNone || s.insecure || s.body != "" {
		t.Errorf("defaults %+v", s)
	}
	for _, f := range spec.Device {
		if f.Name == "timeout" && f.Default != defaultTimeout.String() {
			t.Errorf("spec timeout default %v", f.Default)
		}
	}
}
