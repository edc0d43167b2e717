package app

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/codes"
)

func TestEnsureAdminOnlyOnFirstStart(t *testing.T) {
	a, _ := newApp(t, nil)
	ctx := context.Background()
	created, pw, err := a.EnsureAdmin(ctx, "")
	if err != nil || !created || len(pw) < 16 {
		t.Fatalf("first start: %v %q %v", created, pw, err)
	}
	if _, _, err := a.Login(ctx, "admin", pw, "127.0.0.1"); err != nil {
		t.Fatalf("login with the printed password: %v", err)
	}
	created, _, err = a.EnsureAdmin(ctx, "another-password")
	if err != nil || created {
		t.Fatalf("second start: %v %v", created, err)
	}
}

func TestSessionLifecycle(t *testing.T) {
	a, _ := newApp(t, nil)
	ctx := context.Background()
	if _, _, err := a.EnsureAdmin(ctx, "s3cret-pass"); err != nil {
		t.Fatal(err)
	}
	token, u, err := a.Login(ctx, "admin", "s3cret-pass", "127.0.0.1")
	if err != nil || u.Name != "admin" {
		t.Fatal(err)
	}
	if got, err := a.Authenticate(ctx, token); err != nil || got.Name != "admin" {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	if err := a.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if codes.Of(func() error { _, err := a.Authenticate(ctx, token); return err }()) != codes.AccountNotRegister {
		t.Fatal("token alive after logout")
	}
	for i := 0; i < 5; i++ {
		if _, _, err := a.Login(ctx, "admin", "wrong", "10.0.0.9"); codes.Of(err) != codes.AccountNotRegister {
			t.Fatalf("wrong password %d: %v", i, err)
		}
	}
	_, _, err = a.Login(ctx, "admin", "s3cret-pass", "10.0.0.9")
	if e := codes.From(err); e == nil || codes.StatusOf(e) != http.StatusTooManyRequests {
		t.Fatalf("throttled login: %v", err)
	}
}

func TestNamesUniqueAndLookupsCoded(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	_, err := a.CreateDevice(ctx, admin, f.gw, DeviceInput{Name: "boiler", Driver: "simulator"})
	if e := codes.From(err); e == nil || e.Code != codes.ArgError || codes.StatusOf(e) != http.StatusConflict {
		t.Fatalf("duplicate device name: %v", err)
	}
	_, err = a.CreatePoint(ctx, admin, f.gw, f.dev, PointInput{Name: "temp", Type: "FLOAT"})
	if codes.StatusOf(codes.From(err)) != http.StatusConflict {
		t.Fatalf("duplicate point name: %v", err)
	}
	_, err = a.CreateGateway(ctx, admin, GatewayInput{Name: "site"})
	if codes.StatusOf(codes.From(err)) != http.StatusConflict {
		t.Fatalf("duplicate gateway name: %v", err)
	}
	cases := map[string]codes.Code{
		"nonsense": codes.PointNotExist,
		strings.Repeat("0", 32) + "." + f.dev + "." + f.temp.ID: codes.IONodeNotExist,
		f.gw + ".00000000." + f.temp.ID:                         codes.DeviceNotExist,
		f.gw + "." + f.dev + ".ffff":                            codes.DataNotExist,
	}
	for id, want := range cases {
		if _, err := a.ReadValue(ctx, id, "", 0); codes.Of(err) != want {
			t.Errorf("%s: %v, want %d", id, err, want)
		}
	}
	if _, err := a.CreateDevice(ctx, viewer, f.gw, DeviceInput{Name: "x", Driver: "simulator"}); codes.Of(err) != codes.ObjectNotAuth {
		t.Fatalf("viewer create: %v", err)
	}
}

func TestSecretsRedactedUnlessAdminReveals(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	d, err := a.CreateDevice(ctx, admin, f.gw, DeviceInput{Name: "plc", Driver: secretDriver, Config: []byte(`{"host":"10.0.0.1","password":"hunter2"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(d.Config), "hunter2") {
		t.Fatalf("create reply leaks: %s", d.Config)
	}
	got, _ := a.GetDevice(ctx, operator, f.gw, d.ID, true)
	if strings.Contains(string(got.Config), "hunter2") {
		t.Fatal("operator saw the secret")
	}
	got, _ = a.GetDevice(ctx, admin, f.gw, d.ID, true)
	if !strings.Contains(string(got.Config), "hunter2") {
		t.Fatalf("admin reveal: %s", got.Config)
	}
	list, _ := a.ListDevices(ctx, admin, f.gw, false)
	for _, v := range list {
		if strings.Contains(string(v.Config), "hunter2") {
			t.Fatal("list leaks")
		}
	}
	tb, err := a.ExportTable(ctx, admin, f.gw, false)
	if err != nil || strings.Contains(string(tb), "hunter2") || !strings.Contains(string(tb), Redacted) {
		t.Fatalf("export: %v\n%s", err, tb)
	}
	// Sending the redacted form back keeps the secret; the export imports back.
	in := DeviceInput{Name: "plc", Driver: secretDriver, Config: []byte(`{"host":"10.0.0.2","password":"******"}`)}
	if _, err := a.UpdateDevice(ctx, admin, f.gw, d.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportTable(ctx, admin, f.gw, tb, false); err != nil {
		t.Fatal(err)
	}
	got, _ = a.GetDevice(ctx, admin, f.gw, d.ID, true)
	var cfg map[string]string
	if err := json.Unmarshal(got.Config, &cfg); err != nil || cfg["password"] != "hunter2" {
		t.Fatalf("secret lost: %s %v", got.Config, err)
	}
}

func TestExpiredSessionIsRejected(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "iotos.db"))
	defer st.Close()
	now := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a, err := New(Options{Store: st, Now: clock, TokenTTL: time.Hour, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	if _, _, err := a.EnsureAdmin(ctx, "s3cret-pass"); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.Login(ctx, "admin", "s3cret-pass", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, token); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(time.Hour + time.Second)
	mu.Unlock()
	if _, err := a.Authenticate(ctx, token); codes.Of(err) != codes.AccountNotRegister {
		t.Fatalf("expired token: %v", err)
	}
}
