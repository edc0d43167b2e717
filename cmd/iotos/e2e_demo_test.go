package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type sample struct {
	ID      string `json:"id"`
	Value   any    `json:"value"`
	TS      int64  `json:"ts"`
	Quality string `json:"quality"`
}

type named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// demoIDs finds the demo gateway, its simulator device and points by name.
func demoIDs(t *testing.T, c *client) (gw, dev string, points map[string]string) {
	t.Helper()
	var gws []named
	c.ok("GET", "/api/v1/gateways", nil, &gws)
	for _, g := range gws {
		if g.Name == "demo" {
			gw = g.ID
		}
	}
	if gw == "" {
		t.Fatalf("no gateway named demo in %v", gws)
	}
	var devs []named
	c.ok("GET", "/api/v1/gateways/"+gw+"/devices", nil, &devs)
	for _, d := range devs {
		if d.Name == "simulator" {
			dev = d.ID
		}
	}
	if dev == "" {
		t.Fatalf("no device named simulator in %v", devs)
	}
	var pts []named
	c.ok("GET", "/api/v1/gateways/"+gw+"/devices/"+dev+"/points", nil, &pts)
	points = map[string]string{}
	for _, p := range pts {
		points[p.Name] = gw + "." + dev + "." + p.ID
	}
	for _, want := range []string{"temperature", "counter", "running", "mode", "setpoint", "switch"} {
		if points[want] == "" {
			t.Fatalf("demo point %q missing: %v", want, points)
		}
	}
	return gw, dev, points
}

func currentValue(t *testing.T, c *client, full string) sample {
	t.Helper()
	var s sample
	c.ok("GET", "/api/v1/points/"+full+"/value", nil, &s)
	return s
}

// TestDemoAcceptance is the acceptance check, run against the real
// binary: the demo comes up, values change and gather history, a write
// returns 0 and reads back, bad input gets its code.
func TestDemoAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	httpAddr, natsAddr := freeAddr(t), freeAddr(t)
	dir := t.TempDir()
	p := startProc(t, nil, "demo", "--data-dir", dir, "--http", httpAddr, "--nats", natsAddr, "--admin-password", "s3cret-pw")
	base := "http://" + httpAddr
	waitReady(t, base, p)
	if !strings.Contains(p.out.String(), base) {
		t.Errorf("demo did not print its console URL %s:\n%s", base, p.out.String())
	}

	c := &client{t: t, base: base}
	c.login("admin", "s3cret-pw")
	gw, _, pts := demoIDs(t, c)

	// Values arrive and change.
	var first sample
	eventually(t, 30*time.Second, "a good counter value", func() bool {
		first = currentValue(t, c, pts["counter"])
		return first.Quality == "good" && first.Value != nil
	})
	eventually(t, 30*time.Second, "the counter to change", func() bool {
		s := currentValue(t, c, pts["counter"])
		return s.Value != first.Value && s.TS > first.TS
	})
	var all []sample
	c.ok("GET", "/api/v1/values?gateway="+gw, nil, &all)
	if len(all) < 6 {
		t.Fatalf("values of the demo gateway: %d samples, want ≥ 6: %+v", len(all), all)
	}
	for _, s := range all {
		if s.ID == pts["mode"] && s.Value != nil {
			if _, ok := s.Value.(string); !ok {
				t.Errorf("mode value %v is %T, want a JSON string", s.Value, s.Value)
			}
		}
		if s.ID == pts["running"] && s.Value != nil {
			if _, ok := s.Value.(bool); !ok {
				t.Errorf("running value %v is %T, want a JSON bool", s.Value, s.Value)
			}
		}
	}

	// History gathers.
	eventually(t, 30*time.Second, "counter history", func() bool {
		var h struct {
			Samples []sample `json:"samples"`
		}
		c.ok("GET", "/api/v1/points/"+pts["counter"]+"/history?from=0", nil, &h)
		return len(h.Samples) >= 2
	})

	// A write returns 0 and reads back.
	status, env := c.do("PUT", "/api/v1/points/"+pts["setpoint"]+"/value", map[string]any{"value": 42.5})
	if status != http.StatusOK || env.Code != 0 {
		t.Fatalf("write setpoint: HTTP %d code %d %s", status, env.Code, env.Msg)
	}
	var dev sample
	c.ok("GET", "/api/v1/points/"+pts["setpoint"]+"/value?source=device", nil, &dev)
	if dev.Value != 42.5 {
		t.Errorf("device read of setpoint = %v, want 42.5", dev.Value)
	}
	eventually(t, 30*time.Second, "setpoint 42.5 in the platform's value", func() bool {
		return currentValue(t, c, pts["setpoint"]).Value == 42.5
	})

	// Bad input.
	c.expectCode(105, 400, "POST", "/api/v1/gateways", `{"name": `)
	c.expectCode(105, 409, "POST", "/api/v1/gateways", map[string]string{"name": "demo"})
	c.expectCode(515, 400, "PUT", "/api/v1/points/"+pts["temperature"]+"/value", map[string]any{"value": 1})
	c.expectCode(516, 400, "PUT", "/api/v1/points/"+pts["setpoint"]+"/value", map[string]any{"value": "abc"})
	c.expectCode(105, 400, "PUT", "/api/v1/points/"+pts["setpoint"]+"/value", map[string]any{"value": 101})
	c.expectCode(111, 400, "GET", "/api/v1/points/not-a-point/value", nil)
	unknownGW := strings.Repeat("0", 32)
	c.expectCode(108, 404, "GET", "/api/v1/points/"+unknownGW+".00000000.0000/value", nil)
	c.expectCode(109, 404, "GET", "/api/v1/points/"+gw+".00000000.0000/value", nil)
	devID := strings.Split(pts["counter"], ".")[1]
	c.expectCode(110, 404, "GET", fmt.Sprintf("/api/v1/points/%s.%s.ffff/value", gw, devID), nil)
	anon := &client{t: t, base: base}
	anon.expectCode(107, 401, "GET", "/api/v1/gateways", nil)
	anon.expectCode(107, 401, "POST", "/api/v1/login", map[string]string{"username": "admin", "password": "wrong"})
	bad := &client{t: t, base: base, token: "not-a-token"}
	bad.expectCode(107, 401, "GET", "/api/v1/gateways", nil)

	// The table exports as .tb with the original field names.
	status, env = c.do("GET", "/api/v1/gateways/"+gw+"/table", nil)
	if status != http.StatusOK || env.Code != 0 {
		t.Fatalf("export: HTTP %d code %d", status, env.Code)
	}
	var tb map[string]any
	if err := json.Unmarshal(env.Data, &tb); err != nil {
		t.Fatalf("export data is not a .tb object: %v", err)
	}
	if _, ok := tb["properties"]; !ok {
		t.Errorf("exported table has no properties: %s", env.Data)
	}
}
