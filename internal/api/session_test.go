package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
)

func TestAuthRequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.want(e.do("GET", "/api/v1/gateways", "", nil), codes.AccountNotRegister, http.StatusUnauthorized)
	e.want(e.do("GET", "/api/v1/gateways", "not-a-token", nil), codes.AccountNotRegister, http.StatusUnauthorized)
	e.ok(e.do("GET", "/api/v1/gateways", e.token, nil), nil)
	e.ok(e.do("POST", "/api/v1/logout", e.token, nil), nil)
	e.want(e.do("GET", "/api/v1/gateways", e.token, nil), codes.AccountNotRegister, http.StatusUnauthorized)
}

func TestLoginFailuresAreThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		r := e.do("POST", "/api/v1/login", "", map[string]string{"username": "admin", "password": "wrong-password"})
		e.want(r, codes.AccountNotRegister, http.StatusUnauthorized)
	}
	r := e.do("POST", "/api/v1/login", "", map[string]string{"username": "admin", "password": adminPassword})
	e.want(r, codes.AccountNotRegister, http.StatusTooManyRequests)
	e.want(e.do("POST", "/api/v1/login", "", `{"username":"admin"`), codes.ArgError, http.StatusBadRequest)
}

func TestCookieSessionAndCrossOriginCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := http.Post(e.srv.URL+"/api/v1/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+adminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", cookie)
	}
	req := func(method, origin string) reply {
		r, _ := http.NewRequest(method, e.srv.URL+"/api/v1/gateways", strings.NewReader(`{"name":"g-`+method+origin[len(origin)-1:]+`"}`))
		r.AddCookie(cookie)
		r.Header.Set("Origin", origin)
		return e.send(r)
	}
	e.ok(req("GET", "http://evil.example"), nil) // safe method
	e.want(req("POST", "http://evil.example"), codes.ObjectNotAuth, http.StatusForbidden)
	e.ok(req("POST", e.srv.URL), nil)
}

func TestViewerCannotChangeAnything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ok(e.do("POST", "/api/v1/users", e.token, map[string]string{"name": "eve", "password": "viewer-pass-1", "role": "viewer"}), nil)
	vt := e.login("eve", "viewer-pass-1")
	e.want(e.do("POST", "/api/v1/gateways", vt, map[string]string{"name": "x"}), codes.ObjectNotAuth, http.StatusForbidden)
	e.want(e.do("GET", "/api/v1/users", vt, nil), codes.ObjectNotAuth, http.StatusForbidden)
	var users []map[string]any
	e.ok(e.do("GET", "/api/v1/users", e.token, nil), &users)
	if len(users) != 2 || users[0]["id"] == nil || users[0]["name"] == nil || users[0]["PasswordHash"] != nil {
		t.Fatalf("users %v", users)
	}
	e.want(e.do("POST", "/api/v1/users", e.token, map[string]string{"name": "eve", "password": "viewer-pass-1", "role": "viewer"}), codes.ArgError, http.StatusConflict)
}

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.ok(e.do("GET", "/healthz", "", nil), nil)
	e.ok(e.do("GET", "/readyz", "", nil), nil)
	resp, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `iotos_http_requests_total{code="2xx",route="GET /healthz"} 1`) {
		t.Fatalf("metrics:\n%s", b)
	}
	e.want(e.do("GET", "/api/v1/nothing", e.token, nil), codes.ArgError, http.StatusNotFound)
}

func TestReadyzFollowsReadiness(t *testing.T) {
	t.Parallel()
	ready := false
	h := New(nil, Options{Ready: func() bool { return ready }})
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	if get("/readyz") != http.StatusServiceUnavailable || get("/healthz") != http.StatusOK {
		t.Fatal("not ready: want /readyz 503 and /healthz 200")
	}
	ready = true
	if get("/readyz") != http.StatusOK {
		t.Fatal("ready: want /readyz 200")
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := `{"name":"` + strings.Repeat("x", maxBody) + `"}`
	e.want(e.do("POST", "/api/v1/gateways", e.token, big), codes.ArgError, http.StatusRequestEntityTooLarge)
}
