package opcua

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// TestUsernamePassword: the test server's user reads with its password and
// is refused with a wrong one.
func TestUsernamePassword(t *testing.T) {
	srv := sharedServer(t)
	p := point("0001", driver.String, driver.Read, "ns=2;s=Label", "", 0)
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint(), "username": "operator", "password": "secret"}, p))
	samples, err := d.Read(testCtx(t), []driver.Point{p})
	if err != nil || samples[0].Quality != driver.Good {
		t.Fatalf("Read as operator: %+v, %v", samples, err)
	}

	bad := New()
	if err := bad.Init(drivertest.NewHost(t), deviceFor(map[string]any{"endpoint": srv.endpoint(), "username": "operator", "password": "wrong"}, p)); err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	err = bad.(driver.Connector).Connect(testCtx(t))
	if code := drivertest.ErrorCode(err); code != driver.CodeNetError || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("Connect with a wrong password: %v (code %d), want a 504 connect error", err, code)
	}
}

// TestConnectRefused: no server listening fails Connect with 504 and starts
// no watchdog, so the engine's backoff owns the retries.
func TestConnectRefused(t *testing.T) {
	d := New().(*OPCUA)
	port := freePort(t)
	ep := fmt.Sprintf("opc.tcp://127.0.0.1:%d/iotos", port)
	if err := d.Init(drivertest.NewHost(t), deviceFor(map[string]any{"endpoint": ep, "timeout": "2s"}, point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0))); err != nil {
		t.Fatal(err)
	}
	err := d.Connect(context.Background())
	if code := drivertest.ErrorCode(err); code != driver.CodeNetError {
		t.Fatalf("Connect to a closed port: %v (code %d), want 504", err, code)
	}
	if d.watchdog != nil {
		t.Fatal("a failed Connect left a watchdog running")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}
