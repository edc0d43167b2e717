package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
)

func TestModelBadInputs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	gwPath := "/api/v1/gateways/" + s.gw
	devPath := gwPath + "/devices/" + s.dev
	e.want(e.do("POST", "/api/v1/gateways", e.token, `{"name":`), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", "/api/v1/gateways", e.token, `{"name":"x","colour":"red"}`), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", "/api/v1/gateways", e.token, `{"name":"x"} {}`), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", gwPath+"/devices", e.token, map[string]any{"name": "boiler", "driver": "simulator"}), codes.ArgError, http.StatusConflict)
	e.want(e.do("POST", devPath+"/points", e.token, map[string]any{"name": "temp", "type": "FLOAT"}), codes.ArgError, http.StatusConflict)
	e.want(e.do("POST", devPath+"/points", e.token, map[string]any{"name": "bad", "type": "COMPLEX"}), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("POST", "/api/v1/gateways", e.token, map[string]any{"name": "dup-id", "id": s.gw}), codes.ArgError, http.StatusConflict)

	unknownGw := strings.Repeat("a", 32)
	e.want(e.do("GET", "/api/v1/gateways/"+unknownGw, e.token, nil), codes.IONodeNotExist, http.StatusNotFound)
	e.want(e.do("GET", "/api/v1/gateways/"+unknownGw+"/devices", e.token, nil), codes.IONodeNotExist, http.StatusNotFound)
	e.want(e.do("GET", gwPath+"/devices/0000ffff", e.token, nil), codes.DeviceNotExist, http.StatusNotFound)
	e.want(e.do("GET", devPath+"/points/ffff", e.token, nil), codes.DataNotExist, http.StatusNotFound)
	e.want(e.do("GET", "/api/v1/points/not.a.point/value", e.token, nil), codes.PointNotExist, http.StatusBadRequest)
	e.want(e.do("GET", "/api/v1/points/"+unknownGw+"."+s.dev+"."+s.temp+"/value", e.token, nil), codes.IONodeNotExist, http.StatusNotFound)
}

func TestListShapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	var gws []map[string]any
	e.ok(e.do("GET", "/api/v1/gateways", e.token, nil), &gws)
	if len(gws) != 1 || gws[0]["id"] != s.gw || gws[0]["name"] != "site" || gws[0]["online"] != false || gws[0]["key"] != nil {
		t.Fatalf("gateways %v", gws)
	}
	if _, ok := gws[0]["engine"].(map[string]any)["outbox_batches"]; !ok {
		t.Fatalf("gateway engine status %v", gws[0]["engine"])
	}
	var devs []map[string]any
	e.ok(e.do("GET", "/api/v1/gateways/"+s.gw+"/devices", e.token, nil), &devs)
	if len(devs) != 1 || devs[0]["id"] != s.dev || devs[0]["name"] != "boiler" || devs[0]["online"] != false {
		t.Fatalf("devices %v", devs)
	}
	var pts []map[string]any
	e.ok(e.do("GET", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev+"/points", e.token, nil), &pts)
	if len(pts) != 4 || pts[0]["id"] != s.temp || pts[0]["name"] != "temp" || pts[0]["type"] != "FLOAT" {
		t.Fatalf("points %v", pts)
	}
}

func TestGatewayKeyRotationDisconnects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	e.engine(s, nil)
	var k struct {
		Key string `json:"key"`
	}
	e.ok(e.do("POST", "/api/v1/gateways/"+s.gw+"/key", e.token, nil), &k)
	if len(k.Key) != 64 || k.Key == s.key {
		t.Fatalf("new key %q", k.Key)
	}
	if err := e.app.CheckGatewayKey(t.Context(), s.gw, s.key); codes.Of(err) != codes.AccountNotRegister {
		t.Fatalf("old key: %v", err)
	}
	if err := e.app.CheckGatewayKey(t.Context(), s.gw, k.Key); err != nil {
		t.Fatalf("new key: %v", err)
	}
	waitUntil(t, "the old connection to drop", func() bool { return !e.bus.GatewayConnected(s.gw) })
}
