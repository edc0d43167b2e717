package bus

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
)

func TestEngineConnectsWithRightKey(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	if !strings.HasPrefix(s.ClientURL(), "nats://127.0.0.1:") {
		t.Fatalf("ClientURL = %q", s.ClientURL())
	}
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	waitSignal(t, "Reconnected after the first connect", e.Reconnected())
	if !e.Connected() || e.Gateway() != gwA {
		t.Fatalf("Connected=%v Gateway=%q", e.Connected(), e.Gateway())
	}
	waitUntil(t, "the server sees gateway A", func() bool { return s.GatewayConnected(gwA) })
	if s.GatewayConnected(gwB) {
		t.Fatal("gateway B reported connected")
	}
}

func TestWrongKeyAtFirstConnectIs107(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	for _, tc := range []struct{ name, gw, key string }{
		{"wrong key", gwA, "not-the-key"},
		{"unknown gateway", "dddddddddddddddddddddddddddddddd", "key-a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			link, err := DialEngine(context.Background(), EngineOptions{URL: s.ClientURL(), Gateway: tc.gw, Key: tc.key, Logger: quietLogger()})
			if err == nil {
				link.Close()
				t.Fatal("DialEngine succeeded")
			}
			if codes.Of(err) != codes.AccountNotRegister {
				t.Fatalf("err = %v, want code 107", err)
			}
		})
	}
}

func TestDialEngineRejectsBadArguments(t *testing.T) {
	for _, opts := range []EngineOptions{
		{URL: "nats://127.0.0.1:1", Gateway: "short", Key: "k"},
		{URL: "nats://127.0.0.1:1", Gateway: gwA},
		{Gateway: gwA, Key: "k"},
	} {
		if _, err := DialEngine(context.Background(), opts); codes.Of(err) != codes.ArgError {
			t.Errorf("DialEngine(%+v) = %v, want code 105", opts, err)
		}
	}
}

func TestOnlyGatewaysAndPlatformMayLogIn(t *testing.T) {
	keys := newKeyring()
	s := startServer(t, keys, "127.0.0.1:-1")
	for _, user := range []string{"admin", platformUser, strings.ToUpper(gwA)} {
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(user, "key-a"))
		if err == nil {
			nc.Close()
			t.Errorf("user %q logged in", user)
		} else if !isAuthError(err) {
			t.Errorf("user %q: err = %v, want an authorization error", user, err)
		}
	}
	if nc, err := nats.Connect(s.ClientURL()); err == nil {
		nc.Close()
		t.Error("anonymous login accepted")
	}
}

func TestNewServerErrors(t *testing.T) {
	if _, err := NewServer(ServerOptions{Listen: "127.0.0.1:-1"}); codes.Of(err) != codes.ArgError {
		t.Errorf("no Authenticate: err = %v, want 105", err)
	}
	keys := newKeyring()
	if _, err := NewServer(ServerOptions{Listen: "nohost", Authenticate: keys.check}); codes.Of(err) != codes.ArgError {
		t.Errorf("bad listen: err = %v, want 105", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s, err := NewServer(ServerOptions{Listen: l.Addr().String(), Authenticate: keys.check, Logger: quietLogger()})
	if err == nil {
		s.Shutdown()
		t.Fatal("NewServer on a taken port succeeded")
	}
}

func TestSplitListen(t *testing.T) {
	for _, tc := range []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"127.0.0.1:4222", "127.0.0.1", 4222, true},
		{"127.0.0.1:0", "127.0.0.1", -1, true},
		{"127.0.0.1:-1", "127.0.0.1", -1, true},
		{":4222", "", 4222, true},
		{"127.0.0.1", "", 0, false},
		{"127.0.0.1:x", "", 0, false},
		{"127.0.0.1:70000", "", 0, false},
	} {
		host, port, err := splitListen(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (host != tc.host || port != tc.port)) {
			t.Errorf("splitListen(%q) = %q, %d, %v", tc.in, host, port, err)
		}
	}
}

func TestInProcessOnlyServer(t *testing.T) {
	keys := newKeyring()
	s := startServer(t, keys, "")
	if s.ClientURL() != "" {
		t.Fatalf("ClientURL = %q for an in-process server", s.ClientURL())
	}
	pl := servePlatform(t, s, newFakePlatform())
	link, err := s.EngineLinkInProcess(gwA, "key-a", quietLogger())
	if err != nil {
		t.Fatalf("EngineLinkInProcess: %v", err)
	}
	defer link.Close()
	if err := link.Serve(newFakeEngine()); err != nil {
		t.Fatal(err)
	}
	r, err := pl.Command(context.Background(), gwA, KindWrite, WriteCmd{Point: "00000001.0001", Value: 1.5})
	if err != nil || r.Code != codes.Success {
		t.Fatalf("Command = %+v, %v", r, err)
	}
	ti, err := link.TableIndex(context.Background())
	if err != nil || len(ti.Devices) != 1 || ti.Devices[0].ID != gwA[:8] {
		t.Fatalf("TableIndex = %+v, %v", ti, err)
	}
	if !s.GatewayConnected(gwA) {
		t.Fatal("in-process engine not reported connected")
	}

	_, err = s.EngineLinkInProcess(gwA, "wrong", quietLogger())
	if codes.Of(err) != codes.AccountNotRegister {
		t.Fatalf("in-process wrong key: err = %v, want 107", err)
	}
}

func TestIsAuthError(t *testing.T) {
	if !isAuthError(nats.ErrAuthorization) || !isAuthError(errors.New("nats: Authorization Violation")) {
		t.Fatal("authorization errors not recognised")
	}
	if isAuthError(nats.ErrNoServers) || isAuthError(nil) {
		t.Fatal("non-auth error taken for an authorization error")
	}
}
