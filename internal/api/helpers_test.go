package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store/sqlite"
)

const adminPassword = "admin-password-1"

// env is a platform in a test: real SQLite, real in-process NATS, the API
// over real HTTP.
type env struct {
	t     *testing.T
	app   *app.App
	bus   *bus.Server
	srv   *httptest.Server
	token string // admin
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "iotos.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t}
	var a *app.App
	e.bus, err = bus.NewServer(bus.ServerOptions{Authenticate: func(gw, key string) error {
		if a == nil {
			return codes.New(codes.AccountNotRegister, "starting")
		}
		return a.CheckGatewayKey(context.Background(), gw, key)
	}})
	if err != nil {
		t.Fatal(err)
	}
	link, err := e.bus.PlatformLink()
	if err != nil {
		t.Fatal(err)
	}
	a, err = app.New(app.Options{Store: st, Link: link, PasswordCost: bcrypt.MinCost, Disconnect: e.bus.DisconnectGateway, Online: e.bus.GatewayConnected})
	if err != nil {
		t.Fatal(err)
	}
	e.app = a
	if err := link.Serve(a); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	e.srv = httptest.NewServer(New(a, Options{Registry: reg, Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}))
	t.Cleanup(func() {
		e.srv.Close()
		link.Close()
		a.Close()
		e.bus.Shutdown()
		st.Close()
	})
	if _, _, err := a.EnsureAdmin(ctx, adminPassword); err != nil {
		t.Fatal(err)
	}
	e.token = e.login("admin", adminPassword)
	return e
}

// reply is a decoded envelope with its HTTP status.
type reply struct {
	Status int
	Code   codes.Code      `json:"code"`
	Msg    string          `json:"msg"`
	Data   json.RawMessage `json:"data"`
	header http.Header
}

func (e *env) do(method, path, token string, body any) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req)
}

func (e *env) send(req *http.Request) reply {
	e.t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := reply{Status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &r); err != nil {
		e.t.Fatalf("%s %s: not an envelope: %s", req.Method, req.URL.Path, raw)
	}
	return r
}

// ok asserts success and decodes data into v.
func (e *env) ok(r reply, v any) {
	e.t.Helper()
	if r.Code != codes.Success || r.Status != http.StatusOK {
		e.t.Fatalf("want success, got HTTP %d code %d: %s %s", r.Status, r.Code, r.Msg, r.Data)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			e.t.Fatalf("data %s: %v", r.Data, err)
		}
	}
}

func (e *env) want(r reply, code codes.Code, status int) {
	e.t.Helper()
	if r.Code != code || r.Status != status {
		e.t.Fatalf("want code %d HTTP %d, got code %d HTTP %d: %s", code, status, r.Code, r.Status, r.Msg)
	}
}

func (e *env) login(name, password string) string {
	e.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	e.ok(e.do("POST", "/api/v1/login", "", map[string]string{"username": name, "password": password}), &out)
	return out.Token
}

// seeded is a gateway with a device and points of each access and type.
type seeded struct {
	gw, key, dev             string
	temp, count, state, mode string // point IDs
}

func (s seeded) full(pt string) string { return s.gw + "." + s.dev + "." + pt }

func (e *env) seed() seeded {
	e.t.Helper()
	var s seeded
	var g struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	e.ok(e.do("POST", "/api/v1/gateways", e.token, map[string]any{"name": "site"}), &g)
	s.gw, s.key = g.ID, g.Key
	var d struct {
		ID string `json:"id"`
	}
	e.ok(e.do("POST", "/api/v1/gateways/"+s.gw+"/devices", e.token, map[string]any{"name": "boiler", "driver": "simulator"}), &d)
	s.dev = d.ID
	pt := func(body map[string]any) string {
		var p struct {
			ID string `json:"id"`
		}
		e.ok(e.do("POST", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev+"/points", e.token, body), &p)
		return p.ID
	}
	s.temp = pt(map[string]any{"name": "temp", "type": "FLOAT", "access": "rw", "min": 0, "max": 100})
	s.count = pt(map[string]any{"name": "count", "type": "INT", "access": "rw"})
	s.state = pt(map[string]any{"name": "state", "type": "STRING", "access": "r"})
	s.mode = pt(map[string]any{"name": "mode", "type": "INT", "access": "w"})
	return s
}

// engine connects a test engine for gateway s.gw that answers writes with
// reply (or not at all when reply is nil), counting the writes it gets.
type engine struct {
	link    bus.EngineLink
	writes  chan bus.WriteCmd
	reloads chan bus.ReloadCmd
	reply   *bus.Reply
}

func (e *env) engine(s seeded, reply *bus.Reply) *engine {
	e.t.Helper()
	link, err := e.bus.EngineLinkInProcess(s.gw, s.key, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	en := &engine{link: link, writes: make(chan bus.WriteCmd, 16), reloads: make(chan bus.ReloadCmd, 16), reply: reply}
	if err := link.Serve(en); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { link.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for !e.bus.GatewayConnected(s.gw) {
		if time.Now().After(deadline) {
			e.t.Fatal("engine never connected")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return en
}

func (en *engine) Write(ctx context.Context, cmd bus.WriteCmd) bus.Reply {
	en.writes <- cmd
	if en.reply == nil {
		<-ctx.Done() // a silent engine
		return bus.Reply{Code: codes.Timeout, Msg: "late"}
	}
	return *en.reply
}

func (en *engine) Read(ctx context.Context, cmd bus.ReadCmd) bus.Reply {
	return bus.ReplyOf(map[string]any{"id": cmd.Point, "value": 42.5, "ts": 1, "quality": "good"}, nil)
}

func (en *engine) Broadcast(ctx context.Context, cmd bus.BroadcastCmd) bus.Reply {
	return bus.ReplyOf(map[string]bus.Reply{"dev": bus.ReplyOf(cmd.From+" "+cmd.Type, nil)}, nil)
}

func (en *engine) Collect(ctx context.Context, cmd bus.CollectCmd) bus.Reply {
	return bus.ReplyOf(cmd.Action, nil)
}

func (en *engine) Reload(cmd bus.ReloadCmd) {
	select {
	case en.reloads <- cmd:
	default: // the test is not watching reloads
	}
}
