package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

// tankTB configures examples/python/dr_tank.py the way an original table
// did: python/<module>.<Class>, proxies filled from level's tuple.
const tankTB = `{
  "name": "tanks",
  "properties": {
    "7a000001": {
      "name": "tank",
      "config": {"driver": "python/dr_tank.TankDriver", "param": {"capacity": 80}},
      "data": {
        "0001": {"name": "level", "valuetype": "FLOAT", "readwrite": "1", "refreshcycle": "100"},
        "0002": {"name": "passes", "valuetype": "INT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"proxy": {"pointer": "0001", "index": 1}}},
        "0003": {"name": "pump", "valuetype": "BOOL", "readwrite": "1", "refreshcycle": "100",
                 "config": {"proxy": {"pointer": "0001", "index": 2}}},
        "0004": {"name": "setpoint", "valuetype": "FLOAT", "readwrite": "0", "refreshcycle": "100",
                 "minvalue": "0", "maxvalue": "100"}
      }
    }
  }
}`

// requirePython fails (never skips) when the interpreter the Python SDK
// needs is missing, so a CI without it cannot pass silently.
func requirePython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is not installed; the Python driver tests need it (Debian: apt-get install python3)")
	}
}

// TestPythonDriverOriginalStyle is issue 6's acceptance check against the
// real binaries: a driver written for the original SDK (from driver import
// *, IOTOSDriverI, InitComm, Collecting, Event_setData) is dropped into the
// engine's drivers dir; its values, proxies included, reach the platform,
// and writes return the driver's own envelope, refusals included.
func TestPythonDriverOriginalStyle(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	requirePython(t)
	drivers := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "python", "dr_tank.py"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(drivers, "dr_tank.py"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	c, gw := runGatewayEngine(t, "tanks", tankTB, "--drivers-dir", drivers)
	pt := func(id string) string { return gw + ".7a000001." + id }

	eventually(t, 60*time.Second, "the tank's level 12.5", func() bool {
		s := currentValue(t, c, pt("0001"))
		return s.Quality == "good" && s.Value == 12.5
	})
	var passes sample
	eventually(t, 30*time.Second, "passes (proxy index 1) and pump (proxy index 2)", func() bool {
		passes = currentValue(t, c, pt("0002"))
		_, isBool := currentValue(t, c, pt("0003")).Value.(bool)
		return passes.Quality == "good" && passes.Value != nil && isBool
	})
	eventually(t, 30*time.Second, "passes to count up", func() bool {
		n, ok := currentValue(t, c, pt("0002")).Value.(float64)
		return ok && n > passes.Value.(float64)
	})

	// Accepted: the driver's own msg and data come back.
	status, env := c.do("PUT", "/api/v1/points/"+pt("0004")+"/value", map[string]any{"value": 30})
	if status != http.StatusOK || env.Code != 0 || env.Msg != "setpoint accepted by the tank" {
		t.Fatalf("write 30: HTTP %d code %d msg %q data %s", status, env.Code, env.Msg, env.Data)
	}
	assertReplyData(t, env.Data, map[string]any{"point": "0004", "setpoint": 30.0, "level": 15.0})
	eventually(t, 30*time.Second, "setpoint 30 and level 15 on the platform", func() bool {
		return currentValue(t, c, pt("0004")).Value == 30.0 && currentValue(t, c, pt("0001")).Value == 15.0
	})

	// Refused by the driver with its own code: passed through unchanged.
	status, env = c.do("PUT", "/api/v1/points/"+pt("0004")+"/value", map[string]any{"value": 95})
	if env.Code != 1003 || env.Msg != "setpoint above the tank's capacity" || status != codes.HTTPStatus(1003) {
		t.Fatalf("write 95: HTTP %d code %d msg %q data %s; want the driver's 1003", status, env.Code, env.Msg, env.Data)
	}
	assertReplyData(t, env.Data, map[string]any{"capacity": 80.0, "asked": 95.0})
	if v := currentValue(t, c, pt("0004")).Value; v != 30.0 {
		t.Errorf("after a refused write the setpoint is %v, want 30 still", v)
	}
}

func assertReplyData(t *testing.T, raw json.RawMessage, want map[string]any) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("reply data %s: %v", raw, err)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("reply data %s: %s = %v, want %v", raw, k, got[k], v)
		}
	}
}

// runGatewayEngine runs `iotos serve` and `iotos engine` (with extra engine
// flags) for a new gateway named name holding the .tb table, and returns a
// logged-in client and the gateway ID.
func runGatewayEngine(t *testing.T, name, table string, engineArgs ...string) (*client, string) {
	t.Helper()
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
	c.ok("POST", "/api/v1/gateways", map[string]string{"name": name}, &gw)
	c.ok("PUT", "/api/v1/gateways/"+gw.ID+"/table", table, nil)
	args := append([]string{"engine", "--server", "nats://" + natsAddr, "--gateway", gw.ID, "--data-dir", t.TempDir()}, engineArgs...)
	startProc(t, []string{"IOTOS_GATEWAY_KEY=" + gw.Key}, args...)
	return c, gw.ID
}
