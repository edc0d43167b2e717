package opcua

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// waitFor bounds every wait of the tests: generous, since the machines are
// shared; the tests assert what happens, not how fast.
const waitFor = 60 * time.Second

func deviceFor(cfg map[string]any, points ...driver.Point) driver.Device {
	raw, _ := json.Marshal(cfg)
	return driver.Device{Gateway: "0123456789abcdef0123456789abcdef", ID: "0a0b0c0d", Name: "plc", Driver: "opcua", Config: raw, Points: points}
}

func point(id string, typ driver.Type, access driver.Access, node, mode string, interval time.Duration) driver.Point {
	cfg := map[string]any{"node": node}
	if mode != "" {
		cfg["mode"] = mode
	}
	raw, _ := json.Marshal(cfg)
	return driver.Point{ID: id, Name: "p" + id, Type: typ, Access: access, Interval: interval, Config: raw}
}

// connected returns an initialised, connected driver, closed when the test
// ends.
func connected(t *testing.T, dev driver.Device) (*OPCUA, *drivertest.Host) {
	t.Helper()
	host := drivertest.NewHost(t)
	d := New().(*OPCUA)
	if err := d.Init(host, dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := d.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d, host
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func byPoint(samples []driver.Sample) map[string]driver.Sample {
	out := map[string]driver.Sample{}
	for _, s := range samples {
		out[s.Point] = s
	}
	return out
}
