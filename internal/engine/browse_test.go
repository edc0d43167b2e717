package engine

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// browsingDriver is a fakeDriver that is also a Browser. It fails the
// browse with a 504 for root "broken", returns nil for root "empty", and
// notes whether a browse ever overlapped a read.
type browsingDriver struct {
	fakeDriver
	inRead  *atomic.Int32
	overlap *atomic.Bool
}

func (b *browsingDriver) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	b.inRead.Add(1)
	defer b.inRead.Add(-1)
	return b.fakeDriver.Read(ctx, points)
}

func (b *browsingDriver) Browse(ctx context.Context, req driver.BrowseRequest) ([]driver.BrowseNode, error) {
	if b.inRead.Load() != 0 {
		b.overlap.Store(true)
	}
	b.log.add("browse %s/%d", req.Root, req.Depth)
	switch req.Root {
	case "broken":
		return nil, driver.Errorf(driver.CodeNetError, "no answer")
	case "empty":
		return nil, nil
	}
	return []driver.BrowseNode{
		{ID: "a", Parent: req.Root, Name: "A", DisplayName: "A", Class: "Object", Depth: 1},
		{ID: "a.t", Parent: "a", Name: "T", DisplayName: "T", Class: "Variable", DataType: "Double", Depth: 2,
			Point: &driver.BrowsePoint{Type: driver.Float, Access: driver.Read, Config: json.RawMessage(`{"node":"a.t"}`)}},
	}, nil
}

// TestBrowse runs a browse on the device's worker and returns the driver's
// nodes; a driver without Browser answers 515, an unknown device 109, and a
// driver's error keeps its code.
func TestBrowse(t *testing.T) {
	log := &callLog{}
	var inRead atomic.Int32
	var overlap atomic.Bool
	browsing := func() driver.Driver {
		return &browsingDriver{fakeDriver: fakeDriver{log: log}, inRead: &inRead, overlap: &overlap}
	}
	h := startEngine(t, harnessOpts{
		cached: []bus.DeviceTable{
			testTable("0000000a", "browsing", testPoint("0001", driver.Int, "")),
			testTable("0000000b", "fake", testPoint("0001", driver.Int, "")),
		},
		drivers: map[string]driver.Factory{"browsing": browsing, "fake": fakeFactory(&callLog{}, nil)},
	})
	waitFor(t, "both devices polled", func() bool {
		return len(h.sink.of("0000000a.0001")) > 0 && len(h.sink.of("0000000b.0001")) > 0
	})

	for range 20 { // interleaved with the 5 ms polls
		r := h.e.Browse(ctxTimeout(t, waitTimeout), bus.BrowseCmd{Device: "0000000a", Root: "top", Depth: 2})
		if r.Code != codes.Success {
			t.Fatalf("browse: %+v", r)
		}
		var nodes []driver.BrowseNode
		if err := json.Unmarshal(r.Data, &nodes); err != nil {
			t.Fatal(err)
		}
		if len(nodes) != 2 || nodes[0].Parent != "top" || nodes[1].Point == nil || nodes[1].Point.Type != driver.Float ||
			string(nodes[1].Point.Config) != `{"node":"a.t"}` {
			t.Fatalf("browse returned %s", r.Data)
		}
	}
	if overlap.Load() {
		t.Error("a browse ran while the same driver was reading")
	}
	if n := log.count("browse top/2"); n != 20 {
		t.Errorf("driver browsed %d times, want 20", n)
	}

	// By device name too; nil from the driver is an empty list.
	r := h.e.Browse(ctxTimeout(t, waitTimeout), bus.BrowseCmd{Device: "dev0000000a", Root: "empty"})
	if r.Code != codes.Success || string(r.Data) != "[]" {
		t.Errorf("empty browse: %+v (data %s), want success with []", r, r.Data)
	}
	if r := h.e.Browse(ctxTimeout(t, waitTimeout), bus.BrowseCmd{Device: "0000000a", Root: "broken"}); r.Code != codes.NetError {
		t.Errorf("failing browse: %+v, want the driver's 504", r)
	}
	if r := h.e.Browse(ctxTimeout(t, waitTimeout), bus.BrowseCmd{Device: "0000000b"}); r.Code != codes.PropertyNotValid {
		t.Errorf("browse of a driver that cannot browse: %+v, want 515", r)
	}
	if r := h.e.Browse(ctxTimeout(t, waitTimeout), bus.BrowseCmd{Device: "0000000f"}); r.Code != codes.DeviceNotExist {
		t.Errorf("browse of an unknown device: %+v, want 109", r)
	}

	// A paused device still browses: pausing stops polls, not commands.
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "pause"}); r.Code != 0 {
		t.Fatalf("pause: %+v", r)
	}
	if r := h.e.Browse(ctxTimeout(t, waitTimeout), bus.BrowseCmd{Device: "0000000a", Root: "top"}); r.Code != codes.Success {
		t.Errorf("browse of a paused device: %+v", r)
	}
}
