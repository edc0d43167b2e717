package bus

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/nats-io/nats.go"
)

func TestGatewayCannotPublishAsAnotherGateway(t *testing.T) {
	keys := newKeyring()
	plat := newFakePlatform()
	s, _ := startPlatform(t, keys, plat)
	nc, errs := rawConn(t, s, gwA, "key-a")
	st, _ := json.Marshal(Status{Version: "forged"})

	for _, subject := range []string{Subject(gwB, KindStatus), Subject(gwB, KindBatch), Subject(gwB, "cmd.write"), "$SYS.REQ.SERVER.PING"} {
		if err := nc.Publish(subject, st); err != nil {
			t.Fatalf("publish %s: %v", subject, err)
		}
		waitPermissionError(t, errs, subject)
	}
	// A's own status is published after the refused one on the same
	// connection; once it arrives, the forged one would have too.
	if err := nc.Publish(Subject(gwA, KindStatus), st); err != nil {
		t.Fatal(err)
	}
	if gw := waitSignal(t, "A's own status", plat.status); gw != gwA {
		t.Fatalf("status arrived for %s, want only A's", gw)
	}
	if n := plat.statusCount(gwB); n != 0 {
		t.Fatalf("B received %d forged statuses", n)
	}
}

func TestGatewayCannotSubscribeOutsideItsSubjects(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	for _, subject := range []string{
		Subject(gwB, "cmd.write"), Subject(gwB, "cmd.>"), ">", "_INBOX.>", InboxPrefix(gwB) + ".>",
		"$SYS.>", Subject(gwA, KindBatch), "iotos.gw.*.cmd.write",
	} {
		t.Run(subject, func(t *testing.T) {
			nc, errs := rawConn(t, s, gwA, "key-a")
			if _, err := nc.SubscribeSync(subject); err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
			waitPermissionError(t, errs, subject)
		})
	}
}

func TestGatewayRequestOnOwnSubjectGetsReply(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	nc, _ := rawConn(t, s, gwA, "key-a")
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	msg, err := nc.RequestWithContext(ctx, Subject(gwA, KindTable), []byte(`{}`))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	var ti TableIndex
	if err := decodeReply("table", msg.Data, &ti); err != nil {
		t.Fatal(err)
	}
	if len(ti.Devices) != 1 || ti.Devices[0].ID != gwA[:8] {
		t.Fatalf("reply = %+v, want A's table", ti)
	}
	if msg.Subject[:len(InboxPrefix(gwA))+1] != InboxPrefix(gwA)+"." {
		t.Fatalf("reply came on %q, not A's inbox", msg.Subject)
	}
}

func TestGatewayCannotUseForeignInbox(t *testing.T) {
	keys := newKeyring()
	s, _ := startPlatform(t, keys, newFakePlatform())
	// A client of A with B's inbox prefix sends a request whose reply it is
	// not allowed to receive: the subscription is refused, so no reply.
	errs := make(chan error, 8)
	nc, err := nats.Connect(s.ClientURL(), nats.UserInfo(gwA, "key-a"),
		nats.CustomInboxPrefix(InboxPrefix(gwB)),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.SubscribeSync(nc.NewRespInbox()); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	waitSignal(t, "permission error for B's inbox", errs)
}

func TestGatewayPermissionsShape(t *testing.T) {
	p := gatewayPermissions(gwA)
	if len(p.Publish.Allow) != 2 || len(p.Subscribe.Allow) != 2 || p.Response == nil || p.Response.MaxMsgs != 1 {
		t.Fatalf("permissions = %+v", p)
	}
	for _, s := range append(p.Publish.Allow, p.Subscribe.Allow...) {
		if s == ">" || s == "_INBOX.>" {
			t.Fatalf("permission %q is too wide", s)
		}
	}
}
