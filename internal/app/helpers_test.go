package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/internal/store/sqlite"
	"github.com/iotos/iotos/pkg/driver"
)

// secretDriver is registered so the redaction of secret config fields can
// be tested against a real registry entry.
const secretDriver = "apptest-secret"

func init() {
	driver.Register(secretDriver, driver.Spec{Device: []driver.Field{
		{Name: "host", Type: driver.FieldString},
		{Name: "password", Type: driver.FieldString, Secret: true},
	}}, func() driver.Driver { return nil })
}

var (
	admin    = store.User{ID: 1, Name: "admin", Role: store.RoleAdmin}
	operator = store.User{ID: 2, Name: "op", Role: store.RoleOperator}
	viewer   = store.User{ID: 3, Name: "view", Role: store.RoleViewer}
)

func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newApp(t *testing.T, link bus.PlatformLink) (*App, *sqlite.Store) {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "iotos.db"))
	a, err := New(Options{Store: st, Link: link, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
		st.Close()
	})
	return a, st
}

// fixture is a gateway with one device and points of every kind.
type fixture struct {
	gw, dev                     string
	temp, count, state, switch_ model.Point
}

func seed(t *testing.T, a *App) fixture {
	t.Helper()
	ctx := context.Background()
	g, err := a.CreateGateway(ctx, admin, GatewayInput{Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.CreateDevice(ctx, admin, g.ID, DeviceInput{Name: "boiler", Driver: "simulator"})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{gw: g.ID, dev: d.ID}
	lo, hi := 0.0, 100.0
	mk := func(p model.Point) model.Point {
		out, err := a.CreatePoint(ctx, admin, g.ID, d.ID, p)
		if err != nil {
			t.Fatalf("point %s: %v", p.Name, err)
		}
		return out
	}
	f.temp = mk(model.Point{Name: "temp", Type: driver.Float, Access: driver.ReadWrite, Min: &lo, Max: &hi})
	f.count = mk(model.Point{Name: "count", Type: driver.Int, Access: driver.Read})
	f.state = mk(model.Point{Name: "state", Type: driver.String, Access: driver.ReadWrite, Pattern: "[a-z]+"})
	f.switch_ = mk(model.Point{Name: "switch", Type: driver.Bool, Access: driver.Write})
	return f
}

func rel(p model.Point) string { return p.Device + "." + p.ID }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
