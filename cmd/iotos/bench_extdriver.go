package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/iotos/iotos/internal/engine/extdriver"
	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire/shim"
)

// extCounterCommand is the hidden subcommand that makes this binary an
// external Go driver, so the bench compares the very same driver code
// in-process and over the wire without a separate build.
const extCounterCommand = "bench-extdriver-child"

func init() {
	benchScenarios["extdriver"] = benchExtDriver
	commands[extCounterCommand] = func(ctx context.Context, _ []string) error {
		return shim.Serve(ctx, "benchcounter", &benchCounter{})
	}
}

// benchCounter is the driver under test: every read returns the next
// number for each point. Cheap on purpose, so the bench measures the
// driver boundary rather than the driver.
type benchCounter struct{ n int64 }

var _ driver.Driver = (*benchCounter)(nil)

func (c *benchCounter) Init(driver.Host, driver.Device) error { return nil }

func (c *benchCounter) Read(_ context.Context, points []driver.Point) ([]driver.Sample, error) {
	out := make([]driver.Sample, len(points))
	for i, p := range points {
		c.n++
		out[i] = driver.GoodSample(p.ID, c.n)
	}
	return out, nil
}

func (c *benchCounter) Close() error { return nil }

// extBenchPoints is how many points one read (or one Collecting tuple) covers.
const extBenchPoints = 100

// extGoTarget is the Go external driver's target (DESIGN §9, issue 6).
const extGoTarget = 50000

func benchExtDriver(ctx context.Context, args []string) error {
	fs := newFlags("bench extdriver", "bench extdriver [flags]")
	duration := fs.Duration("duration", 5*time.Second, "measured time per driver")
	quick := fs.Bool("quick", false, "short run (2 s per driver) for a smoke check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *quick {
		*duration = 2 * time.Second
	}
	dir, err := os.MkdirTemp("", "iotos-bench-extdriver-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("%d points per read, %v per driver; samples counted as the engine's host receives them\n", extBenchPoints, *duration)
	fmt.Printf("load average before the run: %s (other processes share these CPUs)\n\n", benchLoadAverage())

	inproc, err := readLoop(ctx, &benchCounter{}, *duration)
	if err != nil {
		return fmt.Errorf("in-process: %w", err)
	}
	fmt.Printf("baseline: the Go driver in-process         %12.0f samples/s\n", inproc)
	goext, err := benchGoShim(ctx, dir, *duration)
	if err != nil {
		return fmt.Errorf("go external driver: %w", err)
	}
	fmt.Printf("the same driver over pkg/wire (exec/)      %12.0f samples/s (%.3f× in-process)\n", goext, goext/inproc)
	py, err := benchPython(ctx, dir, *duration)
	if err != nil {
		return fmt.Errorf("python driver: %w", err)
	}
	fmt.Printf("a Python driver (python/, Collecting)      %12.0f samples/s (%.3f× in-process)\n", py, py/inproc)
	if goext < extGoTarget {
		return fmt.Errorf("go external driver: %.0f samples/s, target ≥ %d", goext, extGoTarget)
	}
	fmt.Printf("\ntarget met: Go external driver ≥ %d samples/s\n", extGoTarget)
	return nil
}

// extPoints are the points of a read: INT, read-only.
func extPoints() []driver.Point {
	pts := make([]driver.Point, extBenchPoints)
	for i := range pts {
		pts[i] = driver.Point{ID: fmt.Sprintf("%04x", i+1), Name: fmt.Sprintf("p%d", i), Type: driver.Int, Access: driver.Read}
	}
	return pts
}

func extDevice(ref, config string, pts []driver.Point) driver.Device {
	return driver.Device{Gateway: strings.Repeat("be", 16), ID: "0000000b", Name: "bench", Driver: ref, Config: []byte(config), Points: pts}
}

// readLoop reads every point back to back for d and returns samples/s.
// Every sample is checked, so a driver that returns less cannot look fast.
func readLoop(ctx context.Context, d driver.Driver, dur time.Duration) (float64, error) {
	pts := extPoints()
	var n int64
	start := time.Now()
	for time.Since(start) < dur {
		s, err := d.Read(ctx, pts)
		if err != nil {
			return 0, err
		}
		if len(s) != len(pts) || s[0].Quality != driver.Good || s[len(s)-1].Point != pts[len(pts)-1].ID {
			return 0, fmt.Errorf("read returned %d samples, want %d good ones", len(s), len(pts))
		}
		n += int64(len(s))
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// benchGoShim runs this binary as an exec/ driver from a drivers dir, as
// the engine would, and reads through the host adapter.
func benchGoShim(ctx context.Context, dir string, dur time.Duration) (float64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	drivers := filepath.Join(dir, "drivers")
	if err := os.MkdirAll(drivers, 0o755); err != nil {
		return 0, err
	}
	if err := os.Symlink(self, filepath.Join(drivers, "benchcounter")); err != nil {
		return 0, err
	}
	d := extdriver.New(extdriver.Options{DriversDir: drivers, Ref: "exec/benchcounter", CallTimeout: 20 * time.Second})
	dev := extDevice("exec/benchcounter", `{"args": ["`+extCounterCommand+`"]}`, extPoints())
	if err := connectExt(ctx, d, &countingHost{}, dev); err != nil {
		return 0, err
	}
	defer d.Close()
	return readLoop(ctx, d, dur)
}

func connectExt(ctx context.Context, d driver.Driver, h driver.Host, dev driver.Device) error {
	if err := d.Init(h, dev); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return d.(driver.Connector).Connect(cctx)
}

// pyBenchDriver is written in the original style: one Collecting call
// fills the pointer and its 99 proxies.
const pyBenchDriver = `from driver import *


class Bench(IOTOSDriverI):
    def InitComm(self, attrs):
        self.online(True)

    def Collecting(self, dataId):
        return tuple(range(%d))
`

// benchPython runs a Python driver's collection loop as fast as it goes
// (mincycle 1 ms) and counts the samples it pushes to the host.
func benchPython(ctx context.Context, dir string, dur time.Duration) (float64, error) {
	if _, err := exec.LookPath("python3"); err != nil {
		return 0, errors.New("python3 is not installed (Debian: apt-get install python3)")
	}
	sdk, err := extdriver.UnpackSDK(filepath.Join(dir, "python-sdk"))
	if err != nil {
		return 0, err
	}
	drivers := filepath.Join(dir, "pydrivers")
	if err := os.MkdirAll(drivers, 0o755); err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(drivers, "dr_bench.py"), fmt.Appendf(nil, pyBenchDriver, extBenchPoints), 0o644); err != nil {
		return 0, err
	}
	pts := extPoints()
	for i := 1; i < len(pts); i++ {
		pts[i].Proxy = &driver.Proxy{Pointer: pts[0].ID, Index: i}
	}
	h := &countingHost{}
	d := extdriver.New(extdriver.Options{DriversDir: drivers, Ref: "python/dr_bench.Bench", SDKDir: sdk, CallTimeout: 20 * time.Second})
	if err := connectExt(ctx, d, h, extDevice("python/dr_bench.Bench", `{"mincycle": 1}`, pts)); err != nil {
		return 0, err
	}
	defer d.Close()
	return pushRate(ctx, h, dur)
}

// pushRate waits for the first pushed samples, then counts for dur.
func pushRate(ctx context.Context, h *countingHost, dur time.Duration) (float64, error) {
	deadline := time.Now().Add(60 * time.Second)
	for h.good.Load() == 0 {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no samples within 60 s (%d bad)", h.bad.Load())
		}
		if err := sleepOrDone(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
	before, start := h.good.Load(), time.Now()
	if err := sleepOrDone(ctx, dur); err != nil {
		return 0, err
	}
	if bad := h.bad.Load(); bad > 0 {
		return 0, fmt.Errorf("the driver reported %d bad samples", bad)
	}
	return float64(h.good.Load()-before) / time.Since(start).Seconds(), nil
}

// countingHost is the engine side of the bench: it counts pushed samples.
type countingHost struct{ good, bad atomic.Int64 }

var _ driver.Host = (*countingHost)(nil)

func (h *countingHost) SetValue(name string, v any, ts time.Time) error {
	return h.SetValues([]driver.Sample{{Point: name, Value: v, TS: ts, Quality: driver.Good}})
}

func (h *countingHost) SetValues(samples []driver.Sample) error {
	for _, s := range samples {
		if s.Quality == driver.Good {
			h.good.Add(1)
		} else {
			h.bad.Add(1)
		}
	}
	return nil
}

func (h *countingHost) Value(context.Context, string, driver.Source) (driver.Sample, error) {
	return driver.Sample{}, driver.Errorf(driver.CodeArgError, "the bench host keeps no values")
}

func (h *countingHost) Online(bool) {}

func (h *countingHost) Subscribers(string) ([]string, error) { return nil, nil }

func (h *countingHost) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
