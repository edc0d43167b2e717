package extdriver

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"go.uber.org/goleak"
)

var (
	sdkOnce sync.Once
	sdkDir  string
	sdkErr  error
)

// testSDK unpacks the embedded SDK once per test binary.
func testSDK(t testing.TB) string {
	t.Helper()
	sdkOnce.Do(func() {
		dir, err := os.MkdirTemp("", "iotos-pysdk-")
		if err != nil {
			sdkErr = err
			return
		}
		sdkDir, sdkErr = UnpackSDK(dir)
	})
	if sdkErr != nil {
		t.Fatal(sdkErr)
	}
	return sdkDir
}

// pyDriver installs source as <module>.py in a fresh drivers dir and
// returns options for it.
func pyDriver(t testing.TB, module, class, source string) Options {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, module+".py"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return Options{DriversDir: dir, Ref: "python/" + module + "." + class, SDKDir: testSDK(t),
		CallTimeout: 20 * time.Second, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}
}

func flt(v float64) *float64 { return &v }

func testDevice(cfg string, points ...driver.Point) driver.Device {
	return driver.Device{Gateway: strings.Repeat("ab", 16), ID: "0000000a", Name: "dev", Driver: "python/x.X",
		Config: []byte(cfg), Points: points}
}

// start runs Init and Connect and closes the driver at the end of the test.
func start(t *testing.T, opts Options, host driver.Host, dev driver.Device) *Driver {
	t.Helper()
	d := New(opts).(*Driver)
	if err := d.Init(host, dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := d.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

const batchDriver = `
from driver import *

class Batch(IOTOSDriverI):
    def InitComm(self, attrs):
        self.warn("connecting to %s" % attrs["name"])
        self.online(True)

    def Collecting(self, dataId):
        if dataId == "0001":
            return (21.5, 7, "on")
        if dataId == "0004":
            return ()
        if dataId == "0005":
            return None
        return ("x",)

    def Event_setData(self, dataId, value):
        if dataId == "00ff":
            import os
            os._exit(3)
        if dataId == "00ee":
            import time
            time.sleep(3600)
        other = self.value("0002", "platform")
        return '{"code": 1001, "msg": "mine", "data": {"point": "%s", "value": %s, "other": "%s"}}' % (dataId, value, other)
`

func batchPoints() []driver.Point {
	return []driver.Point{
		{ID: "0001", Name: "temp", Type: driver.Float, Access: driver.Read},
		{ID: "0002", Name: "count", Type: driver.Int, Access: driver.Read, Proxy: &driver.Proxy{Pointer: "0001", Index: 1}},
		{ID: "0003", Name: "state", Type: driver.Bool, Access: driver.Read, Proxy: &driver.Proxy{Pointer: "0001", Index: 2}},
		{ID: "0004", Name: "quiet", Type: driver.String, Access: driver.Read},
		{ID: "00aa", Name: "sp", Type: driver.Float, Access: driver.ReadWrite, Min: flt(0), Max: flt(100)},
	}
}

func TestPythonBatchWithProxiesReachesHost(t *testing.T) {
	h := newRecHost()
	start(t, pyDriver(t, "dr_batch", "Batch", batchDriver), h, testDevice(`{"mincycle": 20}`, batchPoints()...))
	h.waitFor(t, "values of 0001..0003", func(h *recHost) bool {
		return len(h.valuesOf("0001")) > 0 && len(h.valuesOf("0002")) > 0 && len(h.valuesOf("0003")) > 0
	})
	// stderr is read apart from stdout, so the log line may trail the values.
	h.waitFor(t, "the driver's warn line logged at WARN", func(h *recHost) bool {
		return hasLog(h.logs, slog.LevelWarn, "connecting to dev")
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if v := h.valuesOf("0001")[0]; v != 21.5 {
		t.Errorf("0001 = %#v, want 21.5", v)
	}
	if v := h.valuesOf("0002")[0]; v != int64(7) {
		t.Errorf("0002 (proxy index 1) = %#v, want int64 7", v)
	}
	if v := h.valuesOf("0003")[0]; v != true {
		t.Errorf("0003 (proxy index 2) = %#v, want true (\"on\" as BOOL)", v)
	}
	if n := len(h.valuesOf("0004")); n != 0 {
		t.Errorf("0004 returned () but got %d values", n)
	}
	if len(h.online) == 0 || !h.online[0] {
		t.Errorf("online = %v, want the driver's online(True) first", h.online)
	}
}

func hasLog(logs []slog.Record, level slog.Level, text string) bool {
	for _, r := range logs {
		if r.Level == level && strings.Contains(r.Message, text) {
			return true
		}
	}
	return false
}

func TestPythonWriteResultReturnsUnchanged(t *testing.T) {
	h := newRecHost()
	d := start(t, pyDriver(t, "dr_batch", "Batch", batchDriver), h, testDevice(`{}`, batchPoints()...))
	res, err := d.Write(context.Background(), batchPoints()[4], 42.5)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"point": "00aa", "value": 42.5, "other": "from-platform"}
	got, _ := res.Data.(map[string]any)
	if res.Code != 1001 || res.Msg != "mine" || len(got) != 3 || got["point"] != want["point"] || got["other"] != want["other"] {
		t.Fatalf("Write = %+v, want code 1001 msg mine data %v", res, want)
	}
	if v := wireNumber(t, got["value"]); v != 42.5 {
		t.Fatalf("value = %v, want 42.5", v)
	}
}

func wireNumber(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case interface{ Float64() (float64, error) }:
		f, err := x.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	case float64:
		return x
	}
	t.Fatalf("%#v is not a number", v)
	return 0
}

func TestPythonNoneCountsFailuresAndGoesOffline(t *testing.T) {
	h := newRecHost()
	start(t, pyDriver(t, "dr_batch", "Batch", batchDriver), h,
		testDevice(`{"mincycle": 10}`, driver.Point{ID: "0005", Name: "broken", Type: driver.Float, Access: driver.Read}))
	h.waitFor(t, "offline after failures", func(h *recHost) bool { return h.wentOffline() })
	h.mu.Lock()
	defer h.mu.Unlock()
	var bad int
	for _, s := range h.samples {
		if s.Point == "0005" {
			if s.Quality != driver.Bad || s.Code != driver.CodeNetError {
				t.Fatalf("sample %+v, want bad with 504", s)
			}
			bad++
		}
	}
	if bad < 3 {
		t.Fatalf("%d bad samples before offline, want at least 3", bad)
	}
}

func TestCrashedChildRestartsWhileOthersGoOn(t *testing.T) {
	crashy, steady := newRecHost(), newRecHost()
	opts := pyDriver(t, "dr_batch", "Batch", batchDriver)
	points := append(batchPoints(), driver.Point{ID: "00ff", Name: "crash", Type: driver.Int, Access: driver.Write})
	d := start(t, opts, crashy, testDevice(`{"mincycle": 20}`, points...))
	start(t, opts, steady, testDevice(`{"mincycle": 20}`, points...))

	_, err := d.Write(context.Background(), points[len(points)-1], int64(1))
	if code := errCode(err); code != driver.CodeNetError {
		t.Fatalf("write to a crashing child: %v (code %d), want 504", err, code)
	}
	crashy.waitFor(t, "offline", func(h *recHost) bool { return h.wentOffline() })
	crashy.mu.Lock()
	before := len(crashy.valuesOf("0001"))
	crashy.mu.Unlock()
	steady.mu.Lock()
	steadyBefore := len(steady.valuesOf("0001"))
	steady.mu.Unlock()
	crashy.waitFor(t, "values from the restarted child", func(h *recHost) bool {
		return len(h.online) > 0 && h.online[len(h.online)-1] && len(h.valuesOf("0001")) > before
	})
	steady.waitFor(t, "the other device going on", func(h *recHost) bool { return len(h.valuesOf("0001")) > steadyBefore })
	writeEventually(t, d, points[4])
}

// writeEventually writes until a restarted child answers: between its
// values starting to flow and the restart completing, calls fail with 504.
func writeEventually(t *testing.T, d *Driver, p driver.Point) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := d.Write(context.Background(), p, 2.0)
		if err == nil && res.Code == 1001 {
			return
		}
		if code := errCode(err); code != driver.CodeNetError || time.Now().After(deadline) {
			t.Fatalf("write after restart = %+v, %v; want code 1001 from a new child", res, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestHungChildIsKilledAndRestarted(t *testing.T) {
	h := newRecHost()
	opts := pyDriver(t, "dr_batch", "Batch", batchDriver)
	opts.CallTimeout = 2 * time.Second
	points := append(batchPoints(), driver.Point{ID: "00ee", Name: "hang", Type: driver.Int, Access: driver.Write})
	d := start(t, opts, h, testDevice(`{}`, points...))
	_, err := d.Write(context.Background(), points[len(points)-1], int64(1))
	if code := errCode(err); code != driver.CodeTimeout {
		t.Fatalf("write to a hung child: %v (code %d), want 519", err, code)
	}
	h.waitFor(t, "offline", func(h *recHost) bool { return h.wentOffline() })
	writeEventually(t, d, points[4])
}

func errCode(err error) int {
	var c interface{ ErrorCode() int }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return 0
}

func TestBrokenPythonDriverFailsConnectWithItsTraceback(t *testing.T) {
	h := newRecHost()
	opts := pyDriver(t, "dr_broken", "Broken", "import no_such_module_here\n")
	d := New(opts)
	if err := d.Init(h, testDevice(`{}`)); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err := d.(*Driver).Connect(context.Background())
	if code := errCode(err); code != driver.CodeNetError || !strings.Contains(err.Error(), "hello line") {
		t.Fatalf("Connect = %v, want 504 saying the process ended before its hello line", err)
	}
	h.waitFor(t, "the traceback in the log", func(h *recHost) bool {
		return hasLog(h.logs, slog.LevelInfo, "No module named 'no_such_module_here'")
	})
}

func TestCloseLeavesNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	h := newRecHost()
	d := New(pyDriver(t, "dr_batch", "Batch", batchDriver))
	if err := d.Init(h, testDevice(`{"mincycle": 10}`, batchPoints()...)); err != nil {
		t.Fatal(err)
	}
	if err := d.(*Driver).Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, "values", func(h *recHost) bool { return len(h.valuesOf("0001")) > 0 })
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Read(context.Background(), batchPoints()[:1]); errCode(err) != driver.CodeNetError {
		t.Fatalf("Read after Close = %v, want 504", err)
	}
}

const broadcastDriver = `
from driver import *

class Caster(IOTOSDriverI):
    def Event_customBroadcast(self, fromUuid, type, data):
        return {"code": 0, "msg": "ok", "data": {"from": fromUuid, "type": type, "data": data,
                "subs": self.subscribers("temp"), "all": dict(self.data2subs)}}
`

// A broadcast reaches Event_customBroadcast with its sender, and
// subscribers()/data2subs ask the host.
func TestPythonBroadcastSenderAndSubscribers(t *testing.T) {
	h := newRecHost()
	pts := []driver.Point{{ID: "0001", Name: "temp", Type: driver.Float, Access: driver.Read}, {ID: "0002", Name: "hum", Type: driver.Float, Access: driver.Read}}
	d := start(t, pyDriver(t, "dr_cast", "Caster", broadcastDriver), h, testDevice(`{}`, pts...))
	res, err := d.Broadcast(context.Background(), driver.Message{From: "user:ops", Type: "sync", Data: []byte(`{"n":1}`)})
	if err != nil || res.Code != 0 {
		t.Fatalf("Broadcast = %+v, %v", res, err)
	}
	got, err := json.Marshal(res.Data)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"all":{"0001":["0000000b","0000000c"],"0002":[]},"data":{"n":1},"from":"user:ops","subs":["0000000b","0000000c"],"type":"sync"}`
	if string(got) != want {
		t.Fatalf("broadcast reply data = %s, want %s", got, want)
	}
}
