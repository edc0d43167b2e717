package extdriver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire/shim"
)

// childEnv makes the test binary act as an external Go driver: TestMain
// serves the counter driver over stdio instead of running tests.
const childEnv = "IOTOS_EXTDRIVER_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "counter" {
		if err := shim.Serve(context.Background(), "counter", &counter{}); err != nil {
			fmt.Fprintln(os.Stderr, "ERROR", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if sdkDir != "" {
		_ = os.RemoveAll(sdkDir)
	}
	os.Exit(code)
}

// counter is a minimal Go driver: every read returns the next number.
type counter struct {
	host driver.Host
	n    int64
}

func (c *counter) Init(h driver.Host, dev driver.Device) error {
	c.host = h
	var cfg struct {
		Start int64 `json:"start"`
	}
	if err := driver.DecodeConfig(dev.Config, &cfg); err != nil {
		return err
	}
	c.n = cfg.Start
	return nil
}
func (c *counter) Close() error { return nil }
func (c *counter) Read(_ context.Context, pts []driver.Point) ([]driver.Sample, error) {
	out := make([]driver.Sample, len(pts))
	for i, p := range pts {
		c.n++
		out[i] = driver.GoodSample(p.ID, c.n)
	}
	return out, nil
}
func (c *counter) Write(_ context.Context, p driver.Point, v any) (driver.Result, error) {
	c.host.Logger().Warn("written", "point", p.ID)
	return driver.Result{Code: 1005, Msg: "kept", Data: v}, nil
}

// installScript writes an executable shell script into a new drivers dir.
func installScript(t testing.TB, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// goChild installs the test binary as exec/<name>.
func goChild(t testing.TB) Options {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := installScript(t, "counter", fmt.Sprintf("exec %q \"$@\"\n", self))
	return Options{DriversDir: dir, Ref: "exec/counter", CallTimeout: 20 * time.Second, MinBackoff: 50 * time.Millisecond}
}

// counterConfig passes the env switch; the child's strict config decoding
// sees only "start".
func counterConfig() string { return `{"start": 0, "env": {"` + childEnv + `": "counter"}}` }

func TestGoDriverOverShim(t *testing.T) {
	h := newRecHost()
	pts := []driver.Point{{ID: "0001", Type: driver.Int, Access: driver.ReadWrite}, {ID: "0002", Type: driver.Float, Access: driver.Read}}
	d := start(t, goChild(t), h, testDevice(counterConfig(), pts...))
	got, err := d.Read(context.Background(), pts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Value != int64(1) || got[1].Value != 2.0 || got[1].Quality != driver.Good {
		t.Fatalf("Read = %+v, want 1 (INT) and 2.0 (FLOAT)", got)
	}
	res, err := d.Write(context.Background(), pts[0], int64(9))
	if err != nil || res.Code != 1005 || res.Msg != "kept" || res.Data != json.Number("9") {
		t.Fatalf("Write = %+v, %v", res, err)
	}
	h.waitFor(t, "the driver's log line", func(h *recHost) bool { return hasLog(h.logs, 4, "written point=0001") })
}

func TestJunkOnStdoutIsAClearError(t *testing.T) {
	dir := installScript(t, "chatty", "echo 'Starting modbus poller v1.2'\nsleep 30\n")
	d := New(Options{DriversDir: dir, Ref: "exec/chatty", CallTimeout: 20 * time.Second})
	if err := d.Init(newRecHost(), testDevice(`{}`)); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err := d.(*Driver).Connect(context.Background())
	if code := errCode(err); code != 517 || !strings.Contains(err.Error(), "Starting modbus poller v1.2") {
		t.Fatalf("Connect = %v, want 517 quoting the line", err)
	}
}

func TestJunkAfterHandshakeNamesTheLine(t *testing.T) {
	hello := `{"method":"hello","params":{"protocol":"iotos-wire","version":1}}`
	dir := installScript(t, "chatty", "echo '"+hello+"'\necho 'debug: x=1'\nsleep 30\n")
	d := New(Options{DriversDir: dir, Ref: "exec/chatty", CallTimeout: 20 * time.Second})
	if err := d.Init(newRecHost(), testDevice(`{}`)); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err := d.(*Driver).Connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "debug: x=1") {
		t.Fatalf("Connect = %v, want an error naming line 2 and its text", err)
	}
}

func TestMissingInterpreterIs513(t *testing.T) {
	opts := pyDriver(t, "dr_batch", "Batch", batchDriver)
	opts.Python = "python3-that-is-not-installed"
	d := New(opts)
	if err := d.Init(newRecHost(), testDevice(`{}`)); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.(*Driver).Connect(context.Background()); errCode(err) != 513 {
		t.Fatalf("Connect = %v, want 513", err)
	}
}
