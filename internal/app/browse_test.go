package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// commandLink is a PlatformLink that records the commands it is given and
// answers each with reply, or waits for the deadline when silent is set.
type commandLink struct {
	mu     sync.Mutex
	kinds  []string
	cmds   []any
	reply  bus.Reply
	silent bool
}

func (l *commandLink) Serve(bus.PlatformHandler) error { return nil }

func (l *commandLink) Command(ctx context.Context, gw, kind string, cmd any) (bus.Reply, error) {
	l.mu.Lock()
	l.kinds = append(l.kinds, kind)
	l.cmds = append(l.cmds, cmd)
	silent, reply := l.silent, l.reply
	l.mu.Unlock()
	if silent {
		<-ctx.Done()
		return bus.Reply{}, errors.New("no reply")
	}
	return reply, nil
}

func (l *commandLink) NotifyReload(string, bus.ReloadCmd) error { return nil }
func (l *commandLink) Close() error                             { return nil }

func (l *commandLink) sent() []any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]any(nil), l.cmds...)
}

// TestBrowse sends cmd.browse for an operator, with the defaults filled
// in, passes the engine's reply on and audits it; a viewer, a bad depth and
// an unknown device get their codes without reaching the engine; a silent
// engine is 519 within the caller's timeout.
func TestBrowse(t *testing.T) {
	link := &commandLink{reply: bus.ReplyOf([]map[string]any{{"id": "ns=2;s=Plant"}}, nil)}
	a, _ := newApp(t, link)
	f := seed(t, a)
	ctx := context.Background()

	r, err := a.Browse(ctx, operator, f.gw, f.dev, "", 0, 0)
	if err != nil || r.Code != codes.Success || string(r.Data) != `[{"id":"ns=2;s=Plant"}]` {
		t.Fatalf("browse = %+v (%s), %v", r, r.Data, err)
	}
	if _, err := a.Browse(ctx, admin, f.gw, f.dev, "ns=2;s=Plant", 3, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	sent := link.sent()
	if len(sent) != 2 || link.kinds[0] != bus.KindBrowse {
		t.Fatalf("sent %v (%v), want two cmd.browse", sent, link.kinds)
	}
	first, second := sent[0].(bus.BrowseCmd), sent[1].(bus.BrowseCmd)
	if first.Device != f.dev || first.Root != "" || first.Depth != 1 || first.TimeoutMS <= 0 || first.TimeoutMS > DefaultCommandTimeout.Milliseconds() {
		t.Errorf("default browse sent %+v, want device %s, depth 1, a budget within %s", first, f.dev, DefaultCommandTimeout)
	}
	if second.Root != "ns=2;s=Plant" || second.Depth != 3 || second.TimeoutMS > 2000 {
		t.Errorf("browse sent %+v, want root ns=2;s=Plant, depth 3, a budget within 2 s", second)
	}

	for _, c := range []struct {
		name    string
		user    store.User
		gw, dev string
		depth   int
		root    string
		want    codes.Code
	}{
		{"viewer", viewer, f.gw, f.dev, 1, "", codes.ObjectNotAuth},
		{"negative depth", operator, f.gw, f.dev, -1, "", codes.ArgError},
		{"deep", operator, f.gw, f.dev, MaxBrowseDepth + 1, "", codes.ArgError},
		{"long root", operator, f.gw, f.dev, 1, strings.Repeat("x", 5000), codes.ArgError},
		{"unknown device", operator, f.gw, "0000ffff", 1, "", codes.DeviceNotExist},
		{"unknown gateway", operator, strings.Repeat("f", 32), f.dev, 1, "", codes.IONodeNotExist},
	} {
		if _, err := a.Browse(ctx, c.user, c.gw, c.dev, c.root, c.depth, 0); codes.Of(err) != c.want {
			t.Errorf("%s: %v, want code %d", c.name, err, c.want)
		}
	}
	if n := len(link.sent()); n != 2 {
		t.Errorf("refused browses reached the engine: %d commands sent, want 2", n)
	}

	// The engine's error reply is passed on and audited with its code.
	link.mu.Lock()
	link.reply = bus.ReplyOf(nil, codes.New(codes.PropertyNotValid, "driver simulator cannot browse"))
	link.mu.Unlock()
	r, err = a.Browse(ctx, operator, f.gw, f.dev, "x", 1, 0)
	if err != nil || r.Code != codes.PropertyNotValid {
		t.Fatalf("browse of a driver that cannot = %+v, %v; want the engine's 515", r, err)
	}

	link.mu.Lock()
	link.silent = true
	link.mu.Unlock()
	if _, err := a.Browse(ctx, operator, f.gw, f.dev, "", 1, 100*time.Millisecond); codes.Of(err) != codes.Timeout {
		t.Errorf("silent engine: %v, want 519", err)
	}

	recs, err := a.Audit(ctx, admin, store.AuditQuery{Object: f.gw + "." + f.dev})
	if err != nil {
		t.Fatal(err)
	}
	var browses []store.AuditRecord
	for _, rec := range recs {
		if rec.Action == "browse" {
			browses = append(browses, rec)
		}
	}
	// Newest first: the timeout, the 515, the admin's and the operator's.
	if len(browses) != 4 {
		t.Fatalf("audit holds %d browses, want 4: %+v", len(browses), recs)
	}
	if b := browses[3]; b.User != "op" || b.Code != 0 || b.Value != "root= depth=1" {
		t.Errorf("first browse audited as %+v", b)
	}
	if b := browses[2]; b.User != "admin" || b.Value != "root=ns=2;s=Plant depth=3" {
		t.Errorf("second browse audited as %+v", b)
	}
	if b := browses[1]; b.Code != int(codes.PropertyNotValid) || !strings.Contains(b.Result, "cannot browse") {
		t.Errorf("refused browse audited as %+v", b)
	}
	if b := browses[0]; b.Code != int(codes.Timeout) {
		t.Errorf("timed out browse audited as %+v", b)
	}
}
