package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

func TestConfigErrorsStayLocalAndAreNotRetried(t *testing.T) {
	typo := testTable("0000000a", "simulator", testPoint("0001", driver.Int, `{"chnage":"random"}`))
	badExpr := testPoint("0001", driver.Int, "")
	badExpr.Expr = "x +"
	exprDev := testTable("0000000b", "simulator", badExpr)
	off := testTable("0000000c", "simulator", testPoint("0001", driver.Int, ""))
	off.Device.Enabled = false
	good := testTable("0000000d", "simulator", testPoint("0001", driver.Int, ""))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{typo, exprDev, revise(off), good}})
	waitFor(t, "the good device", func() bool { return len(h.values("0000000d.0001")) > 0 })
	waitFor(t, "the errors in the status", func() bool {
		st := h.e.Status()
		return len(st.Devices) == 4 && strings.Contains(st.Devices[0].LastError, "chnage") &&
			strings.Contains(st.Devices[1].LastError, "x +")
	})
	st := h.e.Status()
	if st.Devices[2].Online || st.Devices[2].LastError != "" {
		t.Fatalf("disabled device status = %+v", st.Devices[2])
	}
	for _, key := range []string{"0000000a.0001", "0000000b.0001", "0000000c.0001"} {
		if n := len(h.sink.of(key)); n != 0 {
			t.Fatalf("%s reported %d samples", key, n)
		}
	}
	r := h.e.Read(ctxTimeout(t, waitTimeout), bus.ReadCmd{Point: "0000000c.0001"})
	if r.Code != codes.ObjectOffline || !strings.Contains(r.Msg, "disabled") {
		t.Fatalf("read from a disabled device: %+v", r)
	}
}

func TestReconnectErrorRestartsTheDriver(t *testing.T) {
	log := &callLog{}
	var reads atomic.Int32
	read := func(_ context.Context, pts []driver.Point) ([]driver.Sample, error) {
		if reads.Add(1) == 2 {
			return nil, fmt.Errorf("socket closed: %w", driver.ErrReconnect)
		}
		return []driver.Sample{driver.GoodSample(pts[0].ID, int64(reads.Load()))}, nil
	}
	dt := testTable("0000000a", "fake", testPoint("0001", driver.Int, ""))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, read)}})
	waitFor(t, "reads after the reconnect", func() bool { return len(h.values("0000000a.0001")) >= 3 })
	calls := log.all()
	if calls[0] != "init" || calls[1] != "read 0001" || calls[2] != "read 0001" || calls[3] != "close" || calls[4] != "init" {
		t.Fatalf("calls = %v, want init, read, failed read, close, init", calls)
	}
}

func TestResetRestartsTheDriver(t *testing.T) {
	log := &callLog{}
	dt := testTable("0000000a", "fake", testPoint("0001", driver.Int, ""))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, nil)}})
	waitFor(t, "a sample", func() bool { return len(h.sink.of("0000000a.0001")) == 1 })
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "reset"}); r.Code != 0 {
		t.Fatalf("reset: %+v", r)
	}
	waitFor(t, "a second init", func() bool { return log.count("init") == 2 })
	// The first sample after a restart is reported even though it did not change.
	waitFor(t, "the first sample after the restart", func() bool { return len(h.sink.of("0000000a.0001")) == 2 })
	if log.count("close") != 1 {
		t.Fatalf("calls = %v", log.all())
	}
}

func TestTablesFollowTheLinkAfterReconnect(t *testing.T) {
	cached := testTable("0000000a", "simulator", testPoint("0001", driver.Int, `{"change":"constant","value":1}`))
	link := newFakeLink()
	link.up = false
	dir := t.TempDir()
	h := startEngine(t, harnessOpts{link: link, cached: []bus.DeviceTable{cached}, dir: dir})
	waitFor(t, "the cached device while the platform is down", func() bool { return len(h.values("0000000a.0001")) > 0 })

	fresh := cached
	fresh.Points = append([]model.Point(nil), cached.Points...)
	fresh.Points[0].Config = json.RawMessage(`{"change":"constant","value":2}`)
	link.setTable(revise(fresh))
	link.mu.Lock()
	link.up = true
	link.mu.Unlock()
	link.reconnected <- struct{}{}
	waitFor(t, "the new table after the reconnect", func() bool {
		v := h.values("0000000a.0001")
		return v[len(v)-1] == int64(2)
	})
}
