package http

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// guarded answers only requests with the given Authorization header.
func guarded(want string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"v": 42}`))
	}
}

// TestAuth: every auth type sends its credentials, and wrong ones fail
// the read with the server's 401.
func TestAuth(t *testing.T) {
	cases := []struct {
		name, auth, header string
	}{
		{"none", `{"type": "none"}`, ""},
		{"omitted", `{}`, ""},
		{"basic", `{"type": "basic", "username": "op", "password": "s3cret:x"}`, "Basic b3A6czNjcmV0Ong="},
		{"basic without password", `{"type": "basic", "username": "op"}`, "Basic b3A6"},
		{"bearer", `{"type": "bearer", "token": "tok.en-1"}`, "Bearer tok.en-1"},
		{"bearer upper case type", `{"type": "Bearer", "token": "t"}`, "Bearer t"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder(t, guarded(c.header))
			dev := device(`{"url": "`+rec.srv.URL+`", "auth": `+c.auth+`}`, pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`))
			got, err := readAll(t, start(t, dev), dev)
			if err != nil || got["0001"].Value != int64(42) {
				t.Fatalf("read: %v %+v", err, got)
			}
			if c.header == "" {
				return // guarded("") already refused any Authorization header
			}
			wrongAuth := `{"type": "bearer", "token": "wrong"}`
			if strings.HasPrefix(c.header, "Bearer") {
				wrongAuth = `{"type": "basic", "username": "op", "password": "wrong"}`
			}
			wrong := device(`{"url": "`+rec.srv.URL+`", "auth": `+wrongAuth+`}`, dev.Points...)
			_, err = readAll(t, start(t, wrong), wrong)
			wantCode(t, err, driver.CodeNetError, "401")
		})
	}
}

// TestHeadersMethodBody: configured headers (Host included), the method
// and the body of a POST poll reach the server.
func TestHeadersMethodBody(t *testing.T) {
	rec := newRecorder(t, jsonReply(`{"v": 1}`))
	dev := device(`{"url": "`+rec.srv.URL+`/q", "method": "post", "body": "{\"query\": \"status\"}",
		"headers": {"x-api-key": "k1", "Host": "device.local", "Accept": "application/vnd.dev+json"}}`,
		pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`))
	if _, err := readAll(t, start(t, dev), dev); err != nil {
		t.Fatal(err)
	}
	r := rec.requests()[0]
	if r.method != "POST" || r.path != "/q" || r.body != `{"query": "status"}` || r.host != "device.local" {
		t.Errorf("request %+v", r)
	}
	for name, want := range map[string]string{"X-Api-Key": "k1", "Accept": "application/vnd.dev+json",
		"Content-Type": "application/json", "User-Agent": userAgent} {
		if got := r.header.Get(name); got != want {
			t.Errorf("header %s: %q, want %q", name, got, want)
		}
	}
}

// TestTLS: a self-signed server fails verification unless the device
// opts out of it.
func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(jsonReply(`{"v": 5}`))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	p := pt("0001", driver.Int, driver.Read, `{"path": "$.v"}`)
	strict := device(`{"url": "`+srv.URL+`"}`, p)
	_, err := readAll(t, start(t, strict), strict)
	wantCode(t, err, driver.CodeNetError, "certificate")

	lax := device(`{"url": "`+srv.URL+`", "tls_insecure_skip_verify": true}`, p)
	got, err := readAll(t, start(t, lax), lax)
	if err != nil || got["0001"].Value != int64(5) {
		t.Fatalf("insecure read: %v %+v", err, got)
	}
}
