package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWriteChecksInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	put := func(full string, v any) reply {
		return e.do("PUT", "/api/v1/points/"+full+"/value", e.token, map[string]any{"value": v})
	}
	e.want(put("bad-id", 1), codes.PointNotExist, http.StatusBadRequest)
	e.want(put(s.full("ffff"), 1), codes.DataNotExist, http.StatusNotFound)
	e.want(put(s.full(s.state), "x"), codes.PropertyNotValid, http.StatusBadRequest)
	e.want(put(s.full(s.temp), "abc"), codes.TypeNotValid, http.StatusBadRequest)
	e.want(put(s.full(s.count), "abc"), codes.TypeNotValid, http.StatusBadRequest)
	e.want(put(s.full(s.count), 1.5), codes.TypeNotValid, http.StatusBadRequest)
	e.want(put(s.full(s.temp), 101), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("PUT", "/api/v1/points/"+s.full(s.temp)+"/value", e.token, `{"timeout_ms":5}`), codes.ArgError, http.StatusBadRequest)

	e.ok(e.do("POST", "/api/v1/users", e.token, map[string]string{"name": "vic", "password": "viewer-pass-1", "role": "viewer"}), nil)
	vt := e.login("vic", "viewer-pass-1")
	e.want(e.do("PUT", "/api/v1/points/"+s.full(s.temp)+"/value", vt, map[string]any{"value": 50}), codes.ObjectNotAuth, http.StatusForbidden)

	// All checks pass but no engine is connected: 3, at once.
	e.want(put(s.full(s.temp), 50), codes.ObjectOffline, http.StatusServiceUnavailable)
	if recs := e.audit(s.full(s.temp)); len(recs) != 1 || recs[0].Code != int(codes.ObjectOffline) {
		t.Fatalf("audit of the offline write %+v", recs)
	}
}

func (e *env) audit(object string) []store.AuditRecord {
	e.t.Helper()
	var recs []store.AuditRecord
	e.ok(e.do("GET", "/api/v1/audit?object="+object, e.token, nil), &recs)
	var writes []store.AuditRecord
	for _, r := range recs {
		if r.Action == "write" {
			writes = append(writes, r)
		}
	}
	return writes
}

func TestWriteReturnsDriverEnvelopeVerbatim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	driverReply := bus.Reply{Code: 1234, Msg: "valve stuck", Data: json.RawMessage(`{"pos":7}`)}
	en := e.engine(s, &driverReply)
	r := e.do("PUT", "/api/v1/points/"+s.full(s.count)+"/value", e.token, map[string]any{"value": "12", "timeout_ms": 3000})
	if r.Code != 1234 || r.Msg != "valve stuck" || string(r.Data) != `{"pos":7}` {
		t.Fatalf("reply %+v %s", r, r.Data)
	}
	cmd := <-en.writes
	if cmd.Point != s.dev+"."+s.count || cmd.Value != float64(12) || cmd.TimeoutMS <= 0 || cmd.TimeoutMS > 3000 || cmd.User != "admin" {
		t.Fatalf("engine got %+v", cmd)
	}
	select {
	case extra := <-en.writes:
		t.Fatalf("a second device write %+v", extra)
	default:
	}
	recs := e.audit(s.full(s.count))
	if len(recs) != 1 || recs[0].User != "admin" || recs[0].Code != 1234 || recs[0].Value != "12" {
		t.Fatalf("audit %+v", recs)
	}
}

func TestSilentEngineTimesOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	en := e.engine(s, nil)
	r := e.do("PUT", "/api/v1/points/"+s.full(s.mode)+"/value", e.token, map[string]any{"value": 3, "timeout_ms": 300})
	e.want(r, codes.Timeout, http.StatusGatewayTimeout)
	<-en.writes
	if recs := e.audit(s.full(s.mode)); len(recs) != 1 || recs[0].Code != int(codes.Timeout) {
		t.Fatalf("audit %+v", recs)
	}
}

func TestReadThroughDeviceAndCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	e.engine(s, &bus.Reply{Code: 0, Msg: "ok"})
	var smp map[string]any
	e.ok(e.do("GET", "/api/v1/points/"+s.full(s.temp)+"/value?source=device", e.token, nil), &smp)
	if smp["id"] != s.full(s.temp) || smp["value"] != 42.5 || smp["quality"] != "good" {
		t.Fatalf("device read %v", smp)
	}
	e.want(e.do("GET", "/api/v1/points/"+s.full(s.mode)+"/value?source=device", e.token, nil), codes.PropertyNotValid, http.StatusBadRequest)
	var per map[string]bus.Reply
	e.ok(e.do("POST", "/api/v1/gateways/"+s.gw+"/broadcast", e.token, map[string]any{"type": "hello", "data": map[string]int{"n": 1}}), &per)
	if string(per["dev"].Data) != `"user:admin hello"` {
		t.Fatalf("broadcast %+v", per)
	}
	var action string
	e.ok(e.do("POST", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev+"/collect", e.token, map[string]any{"action": "pause"}), &action)
	if action != "pause" {
		t.Fatalf("collect %q", action)
	}
	e.want(e.do("POST", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev+"/collect", e.token, map[string]any{"action": "explode"}), codes.ArgError, http.StatusBadRequest)
}
