package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// browsableDriver is registered so GET /drivers can be checked for the
// browse flag against a real registry entry.
type browsableDriver struct{}

func (browsableDriver) Init(driver.Host, driver.Device) error { return nil }
func (browsableDriver) Read(context.Context, []driver.Point) ([]driver.Sample, error) {
	return nil, nil
}
func (browsableDriver) Close() error { return nil }
func (browsableDriver) Browse(context.Context, driver.BrowseRequest) ([]driver.BrowseNode, error) {
	return nil, nil
}

func init() {
	driver.Register("apitest-browsable", driver.Spec{}, func() driver.Driver { return browsableDriver{} })
}

// browsingEngine is the test engine of helpers_test.go that also browses:
// it hands each command to the test and answers with two nodes under the
// requested root.
type browsingEngine struct {
	*engine
	browses chan bus.BrowseCmd
}

func (b *browsingEngine) Browse(ctx context.Context, cmd bus.BrowseCmd) bus.Reply {
	b.browses <- cmd
	return bus.ReplyOf([]driver.BrowseNode{
		{ID: "ns=2;s=Plant", Parent: cmd.Root, Name: "2:Plant", DisplayName: "Plant", Class: "Object", Depth: 1},
		{ID: "ns=2;s=Temperature", Parent: "ns=2;s=Plant", Name: "2:Temperature", DisplayName: "Temperature", Class: "Variable",
			DataType: "Double", Depth: 2, Point: &driver.BrowsePoint{Type: driver.Float, Access: driver.Read, Config: json.RawMessage(`{"node":"ns=2;s=Temperature"}`)}},
	}, nil)
}

func TestBrowseDevice(t *testing.T) {
	e := newEnv(t)
	s := e.seed()
	path := "/api/v1/gateways/" + s.gw + "/devices/" + s.dev + "/browse"

	// No engine yet: offline at once.
	e.want(e.do("POST", path, e.token, map[string]any{}), codes.ObjectOffline, http.StatusServiceUnavailable)

	link, err := e.bus.EngineLinkInProcess(s.gw, s.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { link.Close() })
	be := &browsingEngine{engine: &engine{link: link, reloads: make(chan bus.ReloadCmd, 16)}, browses: make(chan bus.BrowseCmd, 16)}
	if err := link.Serve(be); err != nil {
		t.Fatal(err)
	}

	var nodes []driver.BrowseNode
	e.ok(e.do("POST", path, e.token, map[string]any{"root": "i=85", "depth": 2, "timeout_ms": 3000}), &nodes)
	if len(nodes) != 2 || nodes[0].Parent != "i=85" || nodes[1].Point == nil || nodes[1].Point.Type != driver.Float ||
		string(nodes[1].Point.Config) != `{"node":"ns=2;s=Temperature"}` {
		t.Fatalf("browse data %+v", nodes)
	}
	if cmd := <-be.browses; cmd.Device != s.dev || cmd.Root != "i=85" || cmd.Depth != 2 || cmd.TimeoutMS <= 0 || cmd.TimeoutMS > 3000 {
		t.Fatalf("engine got %+v", cmd)
	}
	// No body: the driver's top, one level.
	e.ok(e.do("POST", path, e.token, nil), &nodes)
	if cmd := <-be.browses; cmd.Root != "" || cmd.Depth != 1 {
		t.Fatalf("engine got %+v for an empty body, want root \"\" depth 1", cmd)
	}

	e.want(e.do("POST", path, e.token, `{"root": 7}`), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", path, e.token, `{"rooot": "i=85"}`), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", path, e.token, map[string]any{"depth": 99}), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", "/api/v1/gateways/"+s.gw+"/devices/0000ffff/browse", e.token, nil), codes.DeviceNotExist, http.StatusNotFound)
	e.want(e.do("POST", path, "", nil), codes.AccountNotRegister, http.StatusUnauthorized)

	e.ok(e.do("POST", "/api/v1/users", e.token, map[string]string{"name": "vince", "password": "viewer-pass-1", "role": "viewer"}), nil)
	e.want(e.do("POST", path, e.login("vince", "viewer-pass-1"), nil), codes.ObjectNotAuth, http.StatusForbidden)
	if n := len(be.browses); n != 0 {
		t.Fatalf("%d refused browses reached the engine", n)
	}

	var audit []struct {
		Action, Object, Value string
	}
	e.ok(e.do("GET", "/api/v1/audit", e.token, nil), &audit)
	found := false
	for _, a := range audit {
		found = found || (a.Action == "browse" && a.Object == s.gw+"."+s.dev && a.Value == "root=i=85 depth=2")
	}
	if !found {
		t.Fatalf("browse not in the audit log: %+v", audit)
	}
}

// TestDriversSayWhetherTheyBrowse: GET /drivers flags the drivers that
// implement driver.Browser, so the console offers browsing only there.
func TestDriversSayWhetherTheyBrowse(t *testing.T) {
	e := newEnv(t)
	var list []struct {
		Name   string `json:"name"`
		Browse bool   `json:"browse"`
	}
	e.ok(e.do("GET", "/api/v1/drivers", e.token, nil), &list)
	got := map[string]bool{}
	for _, d := range list {
		got[d.Name] = d.Browse
	}
	if b, ok := got["apitest-browsable"]; !ok || !b {
		t.Errorf("apitest-browsable listed %v (present %v), want browse true", b, ok)
	}
	if b, ok := got["simulator"]; !ok || b {
		t.Errorf("simulator listed browse %v (present %v), want false", b, ok)
	}
}
