package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/platform"
	"github.com/iotos/iotos/internal/store"
)

// TestPlatformReplicasShareDatabase starts two platforms on one PostgreSQL
// database, as cluster mode runs them: a gateway created through one
// replica's REST API is served by the other and is in the database. The
// password in the URL is never logged.
func TestPlatformReplicasShareDatabase(t *testing.T) {
	ctx := testCtx(t)
	url := freshURL(t)
	var logs lockedBuffer
	// The test server trusts every login, so any password works.
	a := startPlatform(t, strings.Replace(url, "postgres@", "postgres:hunter2@", 1), slog.New(slog.NewTextHandler(&logs, nil)))
	b := startPlatform(t, url, quiet())

	token := login(t, a.URL())
	var created struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	call(t, http.MethodPost, a.URL()+"/api/v1/gateways", token, map[string]string{"name": "pg-site"}, &created)
	if len(created.ID) != 32 || created.Key == "" {
		t.Fatalf("created gateway %+v", created)
	}
	// The other replica shares users and tokens as well as the model.
	var got struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	call(t, http.MethodGet, b.URL()+"/api/v1/gateways/"+created.ID, token, nil, &got)
	if got.ID != created.ID || got.Name != "pg-site" {
		t.Fatalf("replica b serves gateway %+v, want %s pg-site", got, created.ID)
	}
	s := open(t, url)
	g, err := s.GetGateway(ctx, created.ID)
	if err != nil || g.Name != "pg-site" {
		t.Fatalf("gateway in the database: %+v, %v", g, err)
	}
	audit, err := s.ListAudit(ctx, store.AuditQuery{Object: created.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) == 0 || audit[0].User != "admin" {
		t.Fatalf("audit of the creation: %+v", audit)
	}
	if out := logs.String(); strings.Contains(out, "hunter2") || !strings.Contains(out, "platform ready") {
		t.Fatalf("platform log shows the database password or lacks the ready line:\n%s", out)
	}
}

// lockedBuffer is a log sink safe for the platform's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPlatformRefusesUnreachableDatabase: a --db URL without a server behind
// it stops the start with an ArgError.
func TestPlatformRefusesUnreachableDatabase(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	url := "postgres://iotos:pw@127.0.0.1:" + strconv.Itoa(port) + "/iotos?sslmode=disable&connect_timeout=5"
	p, err := platform.Start(context.Background(), platform.Config{DataDir: t.TempDir(), HTTP: "127.0.0.1:0", DB: url, Logger: quiet()})
	if err == nil {
		p.Shutdown(context.Background())
		t.Fatal("platform started without a database")
	}
	if codes.Of(err) != codes.ArgError {
		t.Fatalf("error %v, want code %d", err, codes.ArgError)
	}
}

func startPlatform(t *testing.T, url string, log *slog.Logger) *platform.Platform {
	t.Helper()
	p, err := platform.Start(context.Background(), platform.Config{DataDir: t.TempDir(), HTTP: "127.0.0.1:0", DB: url,
		AdminPassword: "a-long-password", Logger: log, Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	return p
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func login(t *testing.T, base string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	call(t, http.MethodPost, base+"/api/v1/login", "", map[string]string{"username": "admin", "password": "a-long-password"}, &out)
	if out.Token == "" {
		t.Fatal("login returned no token")
	}
	return out.Token
}

// call sends a JSON request and decodes the envelope's data into out,
// failing unless the code is 0.
func call(t *testing.T, method, url, token string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Code int             `json:"code"`
		Msg  string          `json:"msg"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("%s %s: HTTP %d, body not an envelope: %v", method, url, resp.StatusCode, err)
	}
	if env.Code != 0 {
		t.Fatalf("%s %s: code %d %s", method, url, env.Code, env.Msg)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatalf("%s %s: data %s: %v", method, url, env.Data, err)
		}
	}
}
