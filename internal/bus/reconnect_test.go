package bus

import (
	"context"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
)

func TestDisconnectGatewayDropsItsConnections(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	a := dialEngine(t, s.ClientURL(), gwA, "key-a")
	b := dialEngine(t, s.ClientURL(), gwB, "key-b")
	waitUntil(t, "A is connected", func() bool { return s.GatewayConnected(gwA) })
	drain(a.Reconnected())

	keys.set(gwA, "rotated")
	before := keys.refusals(gwA)
	s.DisconnectGateway(gwA)
	waitUntil(t, "A's link notices", func() bool { return !a.Connected() })
	// Wait for two refused reconnects: A keeps trying and keeps failing.
	waitUntil(t, "A's reconnects are refused", func() bool { return keys.refusals(gwA) >= before+2 })
	if s.GatewayConnected(gwA) || a.Connected() {
		t.Fatal("A is connected with its old key")
	}
	if !b.Connected() || !s.GatewayConnected(gwB) {
		t.Fatal("B was dropped with A")
	}
	if _, err := a.SendBatch(context.Background(), Batch{Epoch: "e", Seq: 1}); codes.Of(err) != codes.NoWebSer {
		t.Fatalf("SendBatch while cut off: %v, want 6", err)
	}

	// Once the store has A's key again, the link is back on its own.
	keys.set(gwA, "key-a")
	waitSignal(t, "A reconnects", a.Reconnected())
	waitUntil(t, "the server sees A again", func() bool { return s.GatewayConnected(gwA) })
}

func TestEngineSurvivesPlatformRestart(t *testing.T) {
	keys := newKeyring()
	s1 := startServer(t, keys, "127.0.0.1:-1")
	servePlatform(t, s1, newFakePlatform())
	url := s1.ClientURL()
	addr := strings.TrimPrefix(url, "nats://")
	e := dialEngine(t, url, gwA, "key-a")
	fe := newFakeEngine()
	if err := e.Serve(fe); err != nil {
		t.Fatal(err)
	}
	drain(e.Reconnected())

	s1.Shutdown()
	waitUntil(t, "the engine notices the platform is gone", func() bool { return !e.Connected() })
	if err := e.PublishStatus(Status{}); codes.Of(err) != codes.NoWebSer {
		t.Fatalf("PublishStatus while down: %v, want 6", err)
	}

	s2 := startServer(t, keys, addr)
	pl := servePlatform(t, s2, newFakePlatform())
	waitSignal(t, "Reconnected after the restart", e.Reconnected())
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if _, err := e.TableIndex(ctx); err != nil {
		t.Fatalf("request after restart: %v", err)
	}
	// The command subscription came back with the connection.
	waitUntil(t, "the engine serves commands again", func() bool {
		r, err := pl.Command(ctx, gwA, KindWrite, WriteCmd{Point: "00000001.0001", Value: 1})
		return err == nil && r.Code == codes.Success
	})
}

func TestUnreachablePlatformAtStartIsRetried(t *testing.T) {
	keys := newKeyring()
	addr := freeAddr(t)
	e := dialEngine(t, "nats://"+addr, gwA, "key-a")
	if e.Connected() {
		t.Fatal("connected to nothing")
	}
	if _, err := e.SendBatch(context.Background(), Batch{Epoch: "e", Seq: 1}); codes.Of(err) != codes.NoWebSer {
		t.Fatalf("SendBatch before connecting: %v, want 6", err)
	}
	fe := newFakeEngine()
	if err := e.Serve(fe); err != nil { // before the link is up
		t.Fatal(err)
	}

	s := startServer(t, keys, addr)
	pl := servePlatform(t, s, newFakePlatform())
	waitSignal(t, "the first connection", e.Reconnected())
	if !e.Connected() {
		t.Fatal("not connected after Reconnected")
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	waitUntil(t, "commands reach the late engine", func() bool {
		r, err := pl.Command(ctx, gwA, KindWrite, WriteCmd{Point: "00000001.0001", Value: 1})
		return err == nil && r.Code == codes.Success
	})
	select {
	case err := <-e.Fatal():
		t.Fatalf("Fatal fired: %v", err)
	default:
	}
}

func TestKeyRejectedAfterUnreachableStartIsFatal(t *testing.T) {
	keys := newKeyring()
	addr := freeAddr(t)
	e := dialEngine(t, "nats://"+addr, gwA, "wrong-key")
	startServer(t, keys, addr)
	err := waitSignal(t, "Fatal", e.Fatal())
	if codes.Of(err) != codes.AccountNotRegister {
		t.Fatalf("Fatal = %v, want 107", err)
	}
	if e.Connected() {
		t.Fatal("connected with a wrong key")
	}
}

func TestClosedConnectionIsRebuilt(t *testing.T) {
	keys := newKeyring()
	s, pl := startPlatform(t, keys, newFakePlatform())
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	if err := e.Serve(newFakeEngine()); err != nil {
		t.Fatal(err)
	}
	drain(e.Reconnected())
	old := e.conn()
	old.Close() // what the client does when it gives up on a connection

	waitSignal(t, "Reconnected after the rebuild", e.Reconnected())
	if e.conn() == old || !e.Connected() {
		t.Fatal("connection not rebuilt")
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	r, err := pl.Command(ctx, gwA, KindWrite, WriteCmd{Point: "00000001.0001", Value: 1})
	if err != nil || r.Code != codes.Success {
		t.Fatalf("command on the rebuilt connection: %+v, %v", r, err)
	}
}

func TestCloseIsIdempotentAndFinal(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e.Connected() {
		t.Fatal("connected after Close")
	}
	if err := e.Serve(newFakeEngine()); codes.Of(err) != codes.NoWebSer {
		t.Fatalf("Serve after Close: %v", err)
	}
	waitUntil(t, "the server forgets A", func() bool { return !s.GatewayConnected(gwA) })
}

func TestInProcessEngineFollowsKeyRotation(t *testing.T) {
	keys := newKeyring()
	s := startServer(t, keys, "")
	link, err := s.EngineLinkInProcess(gwA, "key-a", quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()
	e := link.(*EngineConn)
	drain(e.Reconnected())

	keys.set(gwA, "rotated")
	before := keys.refusals(gwA)
	s.DisconnectGateway(gwA)
	waitUntil(t, "the in-process engine is cut off", func() bool { return !e.Connected() && !s.GatewayConnected(gwA) })
	waitUntil(t, "its reconnects are refused", func() bool { return keys.refusals(gwA) >= before+2 })
	if e.Connected() {
		t.Fatal("reconnected with the old key")
	}
	keys.set(gwA, "key-a")
	waitSignal(t, "reconnect with the key restored", e.Reconnected())
	waitUntil(t, "the server sees A again", func() bool { return s.GatewayConnected(gwA) })
}
