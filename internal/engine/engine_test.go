package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

func TestStartsFromCacheWithoutPlatform(t *testing.T) {
	dt := testTable("0000000a", "simulator", testPoint("0001", driver.Int, `{"change":"ascending","max":1000}`))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}})
	waitFor(t, "samples from the cached device", func() bool { return len(h.values("0000000a.0001")) >= 3 })
	got := h.values("0000000a.0001")
	for i, v := range got[:3] {
		if v != int64(i) {
			t.Fatalf("sample %d = %v (%T), want %d", i, v, v, i)
		}
	}
}

func TestSecondEngineOnSameDirFails(t *testing.T) {
	dir := t.TempDir()
	e, err := New(Options{Gateway: testGW, Dir: dir, Sink: &MemorySink{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Gateway: testGW, Dir: dir, Sink: &MemorySink{}}); !errors.Is(err, errLocked) {
		t.Fatalf("second New on the same dir: %v, want %v", err, errLocked)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, err := New(Options{Gateway: testGW, Dir: dir, Sink: &MemorySink{}})
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	e2.Close()
}

func TestHotReloadRestartsOnlyChangedDevices(t *testing.T) {
	a := testTable("0000000a", "simulator", testPoint("0001", driver.Int, `{"max":100000}`))
	b := testTable("0000000b", "simulator", testPoint("0001", driver.Int, `{"max":100000}`))
	c := testTable("0000000c", "simulator", testPoint("0001", driver.Int, `{}`))
	link := newFakeLink(a, b, c)
	h := startEngine(t, harnessOpts{link: link})
	waitFor(t, "all three devices", func() bool {
		return len(h.values("0000000a.0001")) > 0 && len(h.values("0000000b.0001")) > 0 && len(h.values("0000000c.0001")) > 0
	})
	devA, devB := h.device("0000000a"), h.device("0000000b")

	b.Points[0].Config = json.RawMessage(`{"change":"constant","value":77}`)
	link.setTable(revise(b))
	link.dropTable("0000000c")
	h.e.Reload(bus.ReloadCmd{})
	waitFor(t, "device b restarted with its new table", func() bool {
		vals := h.values("0000000b.0001")
		return h.device("0000000b") != devB && vals[len(vals)-1] == int64(77)
	})
	waitFor(t, "device c removed", func() bool { return h.device("0000000c") == nil })
	if h.device("0000000a") != devA || devA.starts != 1 {
		t.Fatalf("unchanged device a was restarted (starts %d)", devA.starts)
	}
	cached, err := (tableCache{dir: tablesDir(h.dir)}).read(filepath.Join(tablesDir(h.dir), "0000000b.json"))
	if err != nil || cached.Version != revise(b).Version {
		t.Fatalf("cache of b: version %q, err %v", cached.Version, err)
	}
	if _, err := os.Stat(filepath.Join(tablesDir(h.dir), "0000000c.json")); !os.IsNotExist(err) {
		t.Fatalf("cache of removed device c: %v", err)
	}
}

func TestPollGroupsReadTogether(t *testing.T) {
	log := &callLog{}
	fast1 := testPoint("0001", driver.Int, "")
	fast2 := testPoint("0002", driver.Int, "")
	slow := testPoint("0003", driver.Int, "")
	slow.IntervalMS = 40
	unpolled := testPoint("0004", driver.Int, "")
	unpolled.IntervalMS = 0
	proxy := testPoint("0005", driver.Int, "")
	proxy.Proxy = &driver.Proxy{Pointer: "0001", Index: 1}
	disabled := testPoint("0006", driver.Int, "")
	disabled.Disabled = true
	dt := testTable("0000000a", "fake", fast1, fast2, slow, unpolled, proxy, disabled)
	startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, nil)}})
	waitFor(t, "several polls of both groups", func() bool {
		return log.count("read 0001,0002") >= 3 && log.count("read 0003") >= 2
	})
	for _, c := range log.all() {
		if strings.HasPrefix(c, "read") && c != "read 0001,0002" && c != "read 0003" {
			t.Fatalf("unexpected read %q: groups are by interval, proxies/unpolled/disabled are not read", c)
		}
	}
}

func TestPollGroupOverrunsAreCounted(t *testing.T) {
	g := &pollGroup{interval: 100 * time.Millisecond}
	start := time.Unix(1000, 0)
	g.next = start
	if missed := g.reschedule(start.Add(30 * time.Millisecond)); missed != 0 || !g.next.Equal(start.Add(100*time.Millisecond)) {
		t.Fatalf("on-time poll: missed %d, next %v", missed, g.next)
	}
	// A poll that ends 350 ms after it was due skipped three ticks.
	if missed := g.reschedule(start.Add(450 * time.Millisecond)); missed != 3 || g.overruns != 3 {
		t.Fatalf("overrun: missed %d, overruns %d, want 3", missed, g.overruns)
	}
	if !g.next.Equal(start.Add(500 * time.Millisecond)) {
		t.Fatalf("next after overrun = %v", g.next.Sub(start))
	}
}

func TestDeadbandReportsOnlyChanges(t *testing.T) {
	p := testPoint("0001", driver.Float, `{"change":"ascending","step":1,"max":1000}`)
	p.Deadband = 2.5
	q := testPoint("0002", driver.Int, `{"change":"constant","value":5}`)
	dt := testTable("0000000a", "simulator", p, q)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}})
	waitFor(t, "several reports", func() bool { return len(h.values("0000000a.0001")) >= 4 })
	got := h.values("0000000a.0001")
	for i, v := range got[:4] {
		if v != float64(3*i) {
			t.Fatalf("report %d = %v, want %v (deadband 2.5 on steps of 1): %v", i, v, 3*i, got)
		}
	}
	if n := len(h.sink.of("0000000a.0002")); n != 1 {
		t.Fatalf("constant point reported %d times, want once", n)
	}
}

func TestChangedRules(t *testing.T) {
	good := func(v any) driver.Sample { return driver.Sample{Value: v, Quality: driver.Good} }
	cases := []struct {
		name     string
		deadband float64
		last, s  driver.Sample
		want     bool
	}{
		{"same int", 0, good(int64(3)), good(int64(3)), false},
		{"int change", 0, good(int64(3)), good(int64(4)), true},
		{"within deadband", 1, good(2.0), good(2.9), false},
		{"beyond deadband", 1, good(2.0), good(3.5), true},
		{"negative beyond", 1, good(2.0), good(0.5), true},
		{"bool change", 5, good(true), good(false), true},
		{"same string", 0, good("a"), good("a"), false},
		{"quality change", 0, good(int64(1)), driver.Sample{Quality: driver.Bad, Code: 504}, true},
		{"same bad", 0, driver.Sample{Quality: driver.Bad, Code: 504}, driver.Sample{Quality: driver.Bad, Code: 504}, false},
		{"bad code change", 0, driver.Sample{Quality: driver.Bad, Code: 504}, driver.Sample{Quality: driver.Bad, Code: 516}, true},
	}
	for _, c := range cases {
		p := &point{deadband: c.deadband, reported: true, last: c.last}
		if got := p.changed(c.s); got != c.want {
			t.Errorf("%s: changed = %v, want %v", c.name, got, c.want)
		}
	}
	if !(&point{}).changed(good(int64(1))) {
		t.Error("the first sample must be reported")
	}
	// After forgetReported: the same value is reported again with a new
	// source time, but an exact repeat of the last sample is not.
	at := time.UnixMilli(1_700_000_000_000)
	last := driver.Sample{Value: 2.5, Quality: driver.Good, TS: at}
	forgotten := &point{reported: false, last: last}
	if forgotten.changed(last) {
		t.Error("an exact repeat of the last reported sample is reported again after a reconnect")
	}
	if !forgotten.changed(driver.Sample{Value: 2.5, Quality: driver.Good, TS: at.Add(time.Millisecond)}) {
		t.Error("the same value at a new time is not reported after a reconnect")
	}
	if !forgotten.changed(driver.Sample{Quality: driver.Bad, Code: 504, TS: at}) {
		t.Error("a bad sample at the same time is not reported after a reconnect")
	}
	// A poll answered with a pushed value that lost the race with the next
	// push: the older sample is not reported again.
	racing := &point{}
	first := driver.Sample{Value: 98.0, Quality: driver.Good, TS: at}
	second := driver.Sample{Value: 98.5, Quality: driver.Good, TS: at.Add(100 * time.Millisecond)}
	for _, s := range []driver.Sample{first, second} {
		if !racing.changed(s) {
			t.Fatalf("%v not reported", s)
		}
		racing.remember(s)
	}
	if racing.changed(first) {
		t.Error("the older sample, already reported, is reported again after a newer one")
	}
	if !racing.changed(driver.Sample{Value: 98.0, Quality: driver.Good, TS: at.Add(-time.Hour)}) {
		t.Error("a new sample with an earlier clock (a clock stepped back) is dropped")
	}
}

func TestExprTransformsAndTypeFailureIsBad(t *testing.T) {
	scaled := testPoint("0001", driver.Float, `{"change":"constant","value":4}`)
	scaled.Expr = "x * 2.5"
	wrong := testPoint("0002", driver.Int, `{"change":"constant","value":4}`)
	wrong.Expr = `"n" + string(x)`
	dt := testTable("0000000a", "simulator", scaled, wrong)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}})
	waitFor(t, "both points", func() bool {
		return len(h.sink.of("0000000a.0001")) > 0 && len(h.sink.of("0000000a.0002")) > 0
	})
	if v := h.sink.of("0000000a.0001")[0]; v.V != 10.0 || v.Q != "" {
		t.Fatalf("x * 2.5 of 4 = %+v, want 10 good", v)
	}
	if v := h.sink.of("0000000a.0002")[0]; v.Q != driver.Bad || v.C != int(codes.TypeNotValid) {
		t.Fatalf("string result on an INT point = %+v, want bad 516", v)
	}
}

func TestWriteChecksAndPassesTheDriverResult(t *testing.T) {
	log := &callLog{}
	ro := testPoint("0001", driver.Int, "")
	rw := testPoint("0002", driver.Int, "")
	rw.Access = driver.ReadWrite
	max := 10.0
	rw.Max = &max
	dt := testTable("0000000a", "fake", ro, rw)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, nil)}})
	waitFor(t, "device online", func() bool { return h.online("0000000a") })
	cases := []struct {
		point string
		value any
		want  codes.Code
	}{
		{"0000000a.0001", 1, codes.PropertyNotValid},
		{"0000000a.0009", 1, codes.DataNotExist},
		{"0000000f.0001", 1, codes.DeviceNotExist},
		{"0000000a", 1, codes.PointNotExist},
		{"0000000a.0002", "many", codes.TypeNotValid},
		{"0000000a.0002", 11, codes.ArgError},
		{"dev0000000a.p0002", 7, 1042},
	}
	for _, c := range cases {
		r := h.e.Write(ctxTimeout(t, waitTimeout), bus.WriteCmd{Point: c.point, Value: c.value, TimeoutMS: 5000})
		if r.Code != c.want {
			t.Errorf("write %s=%v: code %d (%s), want %d", c.point, c.value, r.Code, r.Msg, c.want)
		}
	}
	r := h.e.Write(ctxTimeout(t, waitTimeout), bus.WriteCmd{Point: "0000000a.0002", Value: "8"})
	if r.Msg != "driver says hi" || string(r.Data) != `{"wrote":8}` {
		t.Fatalf("reply %+v is not the driver's result", r)
	}
	if n := log.count("write"); n != 2 {
		t.Fatalf("driver saw %d writes, want 2 (only the valid ones)", n)
	}
}

func TestWritesGoFirstAndNeverAfterTheirDeadline(t *testing.T) {
	log := &callLog{}
	gate := make(chan struct{})
	var reads atomic.Int32
	read := func(ctx context.Context, pts []driver.Point) ([]driver.Sample, error) {
		if reads.Add(1) == 2 {
			<-gate // the second poll is slow
		}
		return []driver.Sample{driver.GoodSample(pts[0].ID, int64(1))}, nil
	}
	p := testPoint("0001", driver.Int, "")
	p.Access = driver.ReadWrite
	p.IntervalMS = 1
	dt := testTable("0000000a", "fake", p)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, read)}})
	waitFor(t, "the slow poll", func() bool { return reads.Load() >= 2 })

	late := h.e.Write(ctxTimeout(t, 20*time.Millisecond), bus.WriteCmd{Point: "0000000a.0001", Value: 1})
	if late.Code != codes.Timeout {
		t.Fatalf("write behind a slow poll past its deadline: code %d, want 519", late.Code)
	}
	replied := make(chan bus.Reply, 1)
	go func() {
		replied <- h.e.Write(ctxTimeout(t, waitTimeout), bus.WriteCmd{Point: "0000000a.0001", Value: 2})
	}()
	w := h.device("0000000a").worker()
	waitFor(t, "both writes queued", func() bool { return len(w.cmds) == 2 })
	close(gate)
	if r := <-replied; r.Code != 1042 {
		t.Fatalf("write: code %d (%s)", r.Code, r.Msg)
	}
	calls := log.all()
	var afterSlow []string
	for i, c := range calls {
		if strings.HasPrefix(c, "read") && i > 0 && len(afterSlow) == 0 && countPrefix(calls[:i+1], "read") == 2 {
			afterSlow = calls[i+1:]
		}
	}
	if len(afterSlow) == 0 || afterSlow[0] != "write 0001=2" {
		t.Fatalf("after the slow poll came %v, want the write first", afterSlow)
	}
	if n := log.count("write 0001=1"); n != 0 {
		t.Fatal("the write whose deadline passed in the queue reached the driver")
	}
}

func countPrefix(calls []string, prefix string) int {
	n := 0
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func TestPanicStaysInItsDevice(t *testing.T) {
	log := &callLog{}
	panicky := func(context.Context, []driver.Point) ([]driver.Sample, error) { panic("boom") }
	bad := testTable("0000000b", "panicky", testPoint("0001", driver.Int, ""))
	good := testTable("0000000a", "simulator", testPoint("0001", driver.Int, `{"max":1000000}`))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{good, bad},
		drivers: map[string]driver.Factory{"panicky": fakeFactory(log, panicky)}})
	waitFor(t, "the panicking driver restarted twice", func() bool { return log.count("init") >= 3 })
	waitFor(t, "more samples of the good device", func() bool { return len(h.values("0000000a.0001")) >= 20 })
	for i, v := range h.values("0000000a.0001") {
		if v != int64(i) {
			t.Fatalf("good device sample %d = %v: a gap", i, v)
		}
	}
	badSamples := h.sink.of("0000000b.0001")
	if len(badSamples) != 1 || badSamples[0].Q != driver.Bad || badSamples[0].C != int(codes.NetError) {
		t.Fatalf("panicking device samples = %+v, want one bad 504", badSamples)
	}
	if n := log.count("close"); n < 2 {
		t.Fatalf("panicked driver closed %d times", n)
	}
	st := h.device("0000000b").state()
	if st.Online || !strings.Contains(st.LastError, "boom") {
		t.Fatalf("status of the panicking device = %+v", st)
	}
}

func TestOfflineAfterThreeFailuresAndBack(t *testing.T) {
	log := &callLog{}
	var failing atomic.Bool
	var h *harness
	var onlineAtFailure []bool // written by the worker only
	read := func(_ context.Context, pts []driver.Point) ([]driver.Sample, error) {
		if failing.Load() {
			onlineAtFailure = append(onlineAtFailure, h.online("0000000a"))
			return nil, driver.Errorf(504, "no answer")
		}
		out := make([]driver.Sample, len(pts))
		for i, p := range pts {
			out[i] = driver.GoodSample(p.ID, int64(7))
		}
		return out, nil
	}
	dt := testTable("0000000a", "fake", testPoint("0001", driver.Int, ""), testPoint("0002", driver.Int, ""))
	h = startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, read)}})
	waitFor(t, "good samples", func() bool { return len(h.sink.of("0000000a.0002")) == 1 })
	failing.Store(true)
	waitFor(t, "offline", func() bool { return !h.online("0000000a") })
	// Pause so the worker's record can be read without a race.
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "pause"}); r.Code != 0 {
		t.Fatalf("pause: %+v", r)
	}
	if len(onlineAtFailure) < offlineAfter || !onlineAtFailure[0] || !onlineAtFailure[offlineAfter-1] {
		t.Fatalf("online state at each failed read = %v, want online through the third", onlineAtFailure)
	}
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "resume"}); r.Code != 0 {
		t.Fatalf("resume: %+v", r)
	}
	for _, key := range []string{"0000000a.0001", "0000000a.0002"} {
		s := h.sink.of(key)
		if len(s) != 2 || s[1].Q != driver.Bad || s[1].C != 504 {
			t.Fatalf("%s samples = %+v, want good then one bad 504", key, s)
		}
	}
	failing.Store(false)
	waitFor(t, "online again", func() bool { return h.online("0000000a") })
	waitFor(t, "good again", func() bool { return len(h.sink.of("0000000a.0001")) == 3 })
	if s := h.sink.of("0000000a.0001"); s[2].Q != "" || s[2].V != int64(7) {
		t.Fatalf("sample after recovery = %+v", s[2])
	}
}

func TestSubscriptionsReachTheDriver(t *testing.T) {
	log := &callLog{}
	src := testTable("0000000a", "simulator", testPoint("0001", driver.Int, `{"max":100000}`))
	sub := testTable("0000000b", "fake")
	sub.Device.Subscribe = []string{"0000000a.*"}
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{src, revise(sub)}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, nil)}})
	waitFor(t, "subscribed values", func() bool { return log.count("sub 0000000a.0001=") >= 3 })
	if len(h.values("0000000a.0001")) < 3 {
		t.Fatal("subscriber saw values the sink did not")
	}
}

// Host.Subscribers follows the tables: a device subscribing later is
// listed, by point or by the whole device, and only points of the asking
// device are answered.
func TestHostSubscribersFollowTables(t *testing.T) {
	src := testTable("0000000a", "simulator", testPoint("0001", driver.Int, ""), testPoint("0002", driver.Int, ""))
	byDevice := testTable("0000000c", "simulator")
	byDevice.Device.Subscribe = []string{"0000000a.*"}
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{src, revise(byDevice)}})
	waitFor(t, "both devices loaded", func() bool { return h.device("0000000a") != nil && h.device("0000000c") != nil })
	host := h.device("0000000a").host
	if ids, err := host.Subscribers("0001"); err != nil || !slices.Equal(ids, []string{"0000000c"}) {
		t.Fatalf("subscribers of 0001 = %v, %v; want [0000000c]", ids, err)
	}
	byPoint := testTable("0000000b", "simulator")
	byPoint.Device.Subscribe = []string{"0000000a.0002"}
	h.e.apply(revise(byPoint))
	if ids, err := host.Subscribers("0001"); err != nil || !slices.Equal(ids, []string{"0000000c"}) {
		t.Fatalf("subscribers of 0001 = %v, %v; want [0000000c]", ids, err)
	}
	if ids, err := host.Subscribers("p0002"); err != nil || !slices.Equal(ids, []string{"0000000b", "0000000c"}) {
		t.Fatalf("subscribers of pt0002 by name = %v, %v; want [0000000b 0000000c]", ids, err)
	}
	if _, err := host.Subscribers("0000000c.0001"); err == nil {
		t.Fatal("subscribers of another device's point: no error")
	}
	if _, err := host.Subscribers("nope"); err == nil {
		t.Fatal("subscribers of an unknown point: no error")
	}
}

func TestBroadcastRepliesPerDevice(t *testing.T) {
	log := &callLog{}
	a := testTable("0000000a", "simulator", testPoint("0001", driver.Int, ""))
	b := testTable("0000000b", "simulator", testPoint("0001", driver.Int, ""))
	c := testTable("0000000c", "fake", testPoint("0001", driver.Int, ""))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{a, b, c}, drivers: map[string]driver.Factory{"fake": fakeFactory(log, nil)}})
	waitFor(t, "devices online", func() bool {
		return h.online("0000000a") && h.online("0000000b")
	})
	r := h.e.Broadcast(ctxTimeout(t, waitTimeout), bus.BroadcastCmd{Type: "sync", Data: json.RawMessage(`{}`)})
	var per map[string]bus.Reply
	if err := json.Unmarshal(r.Data, &per); err != nil || r.Code != 0 {
		t.Fatalf("broadcast reply %+v: %v", r, err)
	}
	if len(per) != 2 || per["0000000a"].Code != 0 || !strings.Contains(string(per["0000000b"].Data), `"type":"sync"`) {
		t.Fatalf("per-device replies = %v, want the two simulators only", per)
	}
}

func TestPauseResumeAndWriteWhilePaused(t *testing.T) {
	p := testPoint("0001", driver.Int, `{"change":"ascending","max":1000000}`)
	p.Access = driver.ReadWrite
	dt := testTable("0000000a", "simulator", p)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}})
	waitFor(t, "samples", func() bool { return len(h.values("0000000a.0001")) > 2 })
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "pause"}); r.Code != 0 {
		t.Fatalf("pause: %+v", r)
	}
	n := len(h.values("0000000a.0001"))
	time.Sleep(100 * time.Millisecond) // 20 poll periods: none may happen
	if m := len(h.values("0000000a.0001")); m != n {
		t.Fatalf("%d samples while paused", m-n)
	}
	if r := h.e.Write(ctxTimeout(t, waitTimeout), bus.WriteCmd{Point: "0000000a.0001", Value: 500}); r.Code != 0 {
		t.Fatalf("write while paused: %+v", r)
	}
	if !h.device("0000000a").state().Paused {
		t.Fatal("status does not show paused")
	}
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "dev0000000a", Action: "resume"}); r.Code != 0 {
		t.Fatalf("resume: %+v", r)
	}
	waitFor(t, "the written value polled after resume", func() bool {
		vals := h.values("0000000a.0001")
		return len(vals) > n && vals[n] == int64(500)
	})
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "jump"}); r.Code != codes.ArgError {
		t.Fatalf("unknown action: %+v", r)
	}
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000f", Action: "pause"}); r.Code != codes.DeviceNotExist {
		t.Fatalf("unknown device: %+v", r)
	}
}

func TestReadCommandAndStatus(t *testing.T) {
	p := testPoint("0001", driver.Int, `{"change":"constant","value":42}`)
	p.IntervalMS = 0
	broken := testTable("0000000b", "nosuchdriver", testPoint("0001", driver.Int, ""))
	dt := testTable("0000000a", "simulator", p)
	link := newFakeLink(dt, broken)
	h := startEngine(t, harnessOpts{link: link})
	waitFor(t, "both devices", func() bool { return h.online("0000000a") && h.device("0000000b") != nil })
	r := h.e.Read(ctxTimeout(t, waitTimeout), bus.ReadCmd{Point: "0000000a.0001"})
	var s model.Sample
	if err := json.Unmarshal(r.Data, &s); err != nil || r.Code != 0 {
		t.Fatalf("read reply %+v: %v", r, err)
	}
	if s.ID != testGW+".0000000a.0001" || s.Value != 42.0 || s.Quality != driver.Good || s.TS == 0 {
		t.Fatalf("read sample = %+v", s)
	}
	if r := h.e.Write(ctxTimeout(t, waitTimeout), bus.WriteCmd{Point: "0000000b.0001", Value: 1}); r.Code != codes.PropertyNotValid {
		t.Fatalf("write to read-only point of a broken device: %+v", r)
	}
	if r := h.e.Read(ctxTimeout(t, waitTimeout), bus.ReadCmd{Point: "0000000b.0001"}); r.Code != codes.ObjectOffline {
		t.Fatalf("read from a device with an unknown driver: %+v", r)
	}
	waitFor(t, "a status naming the broken driver", func() bool {
		st, ok := link.lastStatus()
		return ok && len(st.Devices) == 2 && strings.Contains(st.Devices[1].LastError, "nosuchdriver") &&
			st.Devices[0].Online && st.Epoch == "ep1" && st.OutboxDropped == 3
	})
}

func TestHostValueSources(t *testing.T) {
	p := testPoint("0001", driver.Int, `{"change":"constant","value":9}`)
	dt := testTable("0000000a", "simulator", p)
	link := newFakeLink(dt)
	link.values["0000000a.0001"] = model.Sample{ID: testGW + ".0000000a.0001", Value: int64(3), TS: 1000, Quality: driver.Good}
	h := startEngine(t, harnessOpts{link: link})
	waitFor(t, "a value", func() bool { return len(h.values("0000000a.0001")) > 0 })
	hst := h.device("0000000a").host
	ctx := ctxTimeout(t, waitTimeout)
	if s, err := hst.Value(ctx, "p0001", driver.SourceMemory); err != nil || s.Value != int64(9) {
		t.Fatalf("memory: %+v %v", s, err)
	}
	if s, err := hst.Value(ctx, "0000000a.0001", driver.SourceDevice); err != nil || s.Value != int64(9) {
		t.Fatalf("device: %+v %v", s, err)
	}
	if s, err := hst.Value(ctx, "0001", driver.SourcePlatform); err != nil || s.Value != int64(3) {
		t.Fatalf("platform: %+v %v", s, err)
	}
	if _, err := hst.Value(ctx, "0009", driver.SourceMemory); codes.Of(err) != codes.DataNotExist {
		t.Fatalf("unknown point: %v", err)
	}
	if err := hst.SetValue("0001", "12", time.Time{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pushed value", func() bool {
		vals := h.values("0000000a.0001")
		return vals[len(vals)-1] == int64(12)
	})
}

// A paused device stays paused when a new version of its table arrives,
// and resumes under the new table.
func TestPauseSurvivesTableChange(t *testing.T) {
	p := testPoint("0001", driver.Int, `{"change":"ascending","max":1000000}`)
	dt := testTable("0000000a", "simulator", p)
	dt.Version = "v1"
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}})
	waitFor(t, "samples", func() bool { return len(h.values("0000000a.0001")) > 2 })
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "pause"}); r.Code != 0 {
		t.Fatalf("pause: %+v", r)
	}
	dt2 := testTable("0000000a", "simulator", p, testPoint("0002", driver.Int, `{"change":"ascending","max":1000000}`))
	dt2.Version = "v2"
	h.e.apply(dt2)
	if h.device("0000000a").table.Version != "v2" || !h.device("0000000a").state().Paused {
		t.Fatal("the device under its new table is not paused")
	}
	n := len(h.values("0000000a.0001"))
	time.Sleep(100 * time.Millisecond) // 20 poll periods: none may happen
	if m := len(h.values("0000000a.0001")); m != n || len(h.values("0000000a.0002")) != 0 {
		t.Fatalf("%d samples while paused under the new table", m-n)
	}
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000a", Action: "resume"}); r.Code != 0 {
		t.Fatalf("resume: %+v", r)
	}
	waitFor(t, "the new point polled after resume", func() bool { return len(h.values("0000000a.0002")) > 0 })
}
