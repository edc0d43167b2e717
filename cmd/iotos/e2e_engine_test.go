package main

import (
	"strings"
	"testing"
	"time"
)

const oneDeviceTB = `{
  "name": "plant-1",
  "properties": {
    "1a2b3c4d": {
      "name": "boiler",
      "config": {"driver": "simulator", "param": {}},
      "data": {
        "0a01": {"name": "counter", "valuetype": "INT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"change": "ascending", "min": 0, "max": 1000000, "step": 1}}},
        "0a02": {"name": "level", "valuetype": "FLOAT", "readwrite": "0", "refreshcycle": "200",
                 "minvalue": "0", "maxvalue": "10", "defaultvalue": "1.5",
                 "config": {"param": {"change": "constant"}}}
      }
    }
  }
}`

// TestServeAndEngine runs the platform and an engine as separate processes:
// a gateway made over REST, its table PUT as .tb, an engine with the key in
// IOTOS_GATEWAY_KEY → values arrive and change; a wrong key exits non-zero
// with code 107.
func TestServeAndEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	httpAddr, natsAddr := freeAddr(t), freeAddr(t)
	srv := startProc(t, nil, "serve", "--data-dir", t.TempDir(), "--http", httpAddr, "--nats", natsAddr, "--admin-password", "pw-for-test")
	base := "http://" + httpAddr
	waitReady(t, base, srv)
	c := &client{t: t, base: base}
	c.login("admin", "pw-for-test")

	var gw struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	c.ok("POST", "/api/v1/gateways", map[string]string{"name": "plant-1"}, &gw)
	if len(gw.ID) != 32 || gw.Key == "" {
		t.Fatalf("create gateway: id %q key %q", gw.ID, gw.Key)
	}
	c.ok("PUT", "/api/v1/gateways/"+gw.ID+"/table", oneDeviceTB, nil)

	// A wrong key: the engine exits non-zero and says 107.
	bad := startProc(t, []string{"IOTOS_GATEWAY_KEY=wrong-key"}, "engine", "--server", "nats://"+natsAddr, "--gateway", gw.ID, "--data-dir", t.TempDir())
	if code := bad.wait(t, 30*time.Second); code == 0 {
		t.Fatalf("engine with a wrong key exited 0:\n%s", bad.out.String())
	}
	if !strings.Contains(bad.out.String(), "107") {
		t.Errorf("engine with a wrong key did not report code 107:\n%s", bad.out.String())
	}

	startProc(t, []string{"IOTOS_GATEWAY_KEY=" + gw.Key}, "engine", "--server", "nats://"+natsAddr, "--gateway", gw.ID, "--data-dir", t.TempDir())
	counter := gw.ID + ".1a2b3c4d.0a01"
	var first sample
	eventually(t, 30*time.Second, "the engine's first counter value", func() bool {
		first = currentValue(t, c, counter)
		return first.Quality == "good" && first.Value != nil
	})
	eventually(t, 30*time.Second, "the counter to change", func() bool {
		return currentValue(t, c, counter).Value != first.Value
	})
	level := gw.ID + ".1a2b3c4d.0a02"
	eventually(t, 30*time.Second, "the constant point's default 1.5", func() bool {
		return currentValue(t, c, level).Value == 1.5
	})
	c.ok("PUT", "/api/v1/points/"+level+"/value", map[string]any{"value": 7.25}, nil)
	eventually(t, 30*time.Second, "the written 7.25 to come back", func() bool {
		return currentValue(t, c, level).Value == 7.25
	})
}
