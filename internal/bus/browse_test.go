package bus

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

// browsingEngine is a fakeEngine that also serves cmd.browse: it echoes the
// command with the budget it was given, or answers with size bytes of data.
type browsingEngine struct {
	*fakeEngine
	size atomic.Int64
}

func (b *browsingEngine) Browse(ctx context.Context, cmd BrowseCmd) Reply {
	if n := b.size.Load(); n > 0 {
		return ReplyOf(strings.Repeat("x", int(n)), nil)
	}
	var left time.Duration
	if dl, ok := ctx.Deadline(); ok {
		left = time.Until(dl)
	}
	return ReplyOf(map[string]any{"device": cmd.Device, "root": cmd.Root, "depth": cmd.Depth, "left_ms": left.Milliseconds()}, nil)
}

// TestBrowseCommand carries cmd.browse to an engine that browses and back,
// with its deadline; an engine whose handler does not browse answers 515.
func TestBrowseCommand(t *testing.T) {
	keys := newKeyring()
	s, pl := startPlatform(t, keys, newFakePlatform())
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()

	a := dialEngine(t, s.ClientURL(), gwA, "key-a")
	be := &browsingEngine{fakeEngine: newFakeEngine()}
	if err := a.Serve(be); err != nil {
		t.Fatal(err)
	}
	r, err := pl.Command(ctx, gwA, KindBrowse, BrowseCmd{Device: "00000001", Root: "ns=2;s=Plant", Depth: 2, TimeoutMS: 3000})
	if err != nil || r.Code != codes.Success {
		t.Fatalf("browse = %+v, %v", r, err)
	}
	var echo struct {
		Device, Root string
		Depth        int
		LeftMS       int64 `json:"left_ms"`
	}
	if err := json.Unmarshal(r.Data, &echo); err != nil {
		t.Fatal(err)
	}
	if echo.Device != "00000001" || echo.Root != "ns=2;s=Plant" || echo.Depth != 2 {
		t.Errorf("engine got %+v, want device 00000001, root ns=2;s=Plant, depth 2", echo)
	}
	if echo.LeftMS <= 0 || echo.LeftMS > 3000 {
		t.Errorf("handler budget %d ms, want within the command's 3000", echo.LeftMS)
	}

	// A reply larger than the bus carries is an error at once, not a
	// silence until the caller's deadline.
	be.size.Store(2 << 20)
	r, err = pl.Command(ctx, gwA, KindBrowse, BrowseCmd{Device: "00000001"})
	if err != nil || r.Code != codes.ArgError || !strings.Contains(r.Msg, "payload limit") {
		t.Fatalf("oversized browse reply = %+v, %v; want code 105 naming the payload limit", r, err)
	}

	b := dialEngine(t, s.ClientURL(), gwB, "key-b")
	if err := b.Serve(newFakeEngine()); err != nil {
		t.Fatal(err)
	}
	r, err = pl.Command(ctx, gwB, KindBrowse, BrowseCmd{Device: "00000001"})
	if err != nil || r.Code != codes.PropertyNotValid {
		t.Fatalf("browse on an engine that does not browse = %+v, %v; want code 515", r, err)
	}
}
