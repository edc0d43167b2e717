package drivertest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/iotos/iotos/pkg/driver"
)

// conformanceTimeout bounds every driver call of the suite: generous, since
// test machines are shared.
const conformanceTimeout = 30 * time.Second

// RunConformance checks the lifecycle contract of package driver against the
// driver f makes, configured as dev (a configuration that must be valid and,
// for drivers with a Connector, reachable). Every driver's tests call it.
func RunConformance(t *testing.T, f driver.Factory, dev driver.Device) {
	t.Helper()
	t.Run("ConstructorDoesNoWork", func(t *testing.T) { checkConstructor(t, f) })
	t.Run("InitRejectsUnknownKey", func(t *testing.T) { checkUnknownKey(t, f, dev) })
	t.Run("Lifecycle", func(t *testing.T) { checkLifecycle(t, f, dev) })
}

// checkConstructor: a factory returns a fresh value and starts nothing.
func checkConstructor(t *testing.T, f driver.Factory) {
	before := goleak.IgnoreCurrent()
	a, b := f(), f()
	if a == nil || b == nil {
		t.Fatal("factory returned nil")
	}
	if reflect.ValueOf(a).Kind() == reflect.Pointer && reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() {
		t.Fatal("factory returned the same value twice; every device needs its own")
	}
	if err := goleak.Find(before); err != nil {
		t.Fatalf("constructor started goroutines: %v", err)
	}
}

// checkUnknownKey: strict decoding makes a typo in the config fail with 105.
func checkUnknownKey(t *testing.T, f driver.Factory, dev driver.Device) {
	bad := dev
	bad.Config = withUnknownKey(t, dev.Config)
	d := f()
	err := d.Init(NewHost(t), bad)
	if err == nil {
		_ = d.Close()
		t.Fatal("Init accepted a config with an unknown key")
	}
	if code := ErrorCode(err); code != driver.CodeArgError {
		t.Fatalf("Init with an unknown key: code %d (%v), want %d", code, err, driver.CodeArgError)
	}
}

func withUnknownKey(t *testing.T, raw json.RawMessage) json.RawMessage {
	obj := map[string]json.RawMessage{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("device config is not a JSON object: %v", err)
		}
	}
	obj["conformance_unknown_key"] = json.RawMessage(`true`)
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ErrorCode is the IOTOS code an error carries (0 when it carries none).
func ErrorCode(err error) int {
	var c interface{ ErrorCode() int }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return 0
}

// checkLifecycle runs Init, Connect, Read, Write and Close in order and
// checks nothing is left running afterwards.
func checkLifecycle(t *testing.T, f driver.Factory, dev driver.Device) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	d := f()
	if err := d.Init(NewHost(t), dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), conformanceTimeout)
	defer cancel()
	if c, ok := d.(driver.Connector); ok {
		if err := c.Connect(ctx); err != nil {
			t.Fatalf("Connect: %v", err)
		}
	}
	readable := readablePoints(dev.Points)
	checkRead(t, ctx, d, readable)
	checkCancelledRead(t, d, readable)
	if w, ok := d.(driver.Writer); ok {
		checkWrite(t, ctx, d, w, dev.Points)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func readablePoints(points []driver.Point) []driver.Point {
	var out []driver.Point
	for _, p := range points {
		if p.Access.CanRead() && p.Proxy == nil {
			out = append(out, p)
		}
	}
	return out
}
