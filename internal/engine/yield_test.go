package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

// stepScript is shared by every instance of a steppedDriver: the test
// steers the first Read and reads what happened.
type stepScript struct {
	log       *callLog
	yields    bool          // Read yields between its steps
	breakLink bool          // Write reports a broken link
	panicky   bool          // Write panics
	reading   chan struct{} // closed when the first Read has done its first step
	gate      chan struct{} // the first Read waits here after its first step
	reads     atomic.Int32
	active    atomic.Int32 // driver code running now
	overlaps  atomic.Int32 // times driver code started while other driver code ran
}

func newStepScript(yields bool) *stepScript {
	return &stepScript{log: &callLog{}, yields: yields, reading: make(chan struct{}), gate: make(chan struct{})}
}

func (s *stepScript) enter() {
	if s.active.Add(1) != 1 {
		s.overlaps.Add(1)
	}
}

func (s *stepScript) exit() { s.active.Add(-1) }

// steppedDriver reads a poll group in three steps, like a driver sending
// three requests, and may yield between them.
type steppedDriver struct{ s *stepScript }

var _ driver.Writer = (*steppedDriver)(nil)

func (d *steppedDriver) Init(driver.Host, driver.Device) error {
	d.s.log.add("init")
	return nil
}

func (d *steppedDriver) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	s := d.s
	s.enter()
	defer s.exit()
	n := s.reads.Add(1)
	s.log.add("read %d begin", n)
	for step := range 3 {
		if step > 0 && s.yields {
			// Yield hands the goroutine to the engine: no driver code of
			// this Read runs until it returns.
			s.exit()
			err := driver.Yield(ctx)
			s.enter()
			if err != nil {
				s.log.add("read %d stopped: reconnect %t", n, errors.Is(err, driver.ErrReconnect))
				return nil, err
			}
		}
		s.log.add("read %d step %d", n, step)
		if n == 1 && step == 0 {
			close(s.reading)
			select {
			case <-s.gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	s.log.add("read %d end", n)
	out := make([]driver.Sample, len(points))
	for i, p := range points {
		out[i] = driver.GoodSample(p.ID, int64(n))
	}
	return out, nil
}

func (d *steppedDriver) Write(_ context.Context, p driver.Point, v any) (driver.Result, error) {
	d.s.enter()
	defer d.s.exit()
	d.s.log.add("write %s=%v", p.ID, v)
	if d.s.breakLink {
		return driver.Result{}, fmt.Errorf("link gone: %w", driver.ErrReconnect)
	}
	if d.s.panicky {
		panic("write exploded")
	}
	return driver.OK(v), nil
}

func (d *steppedDriver) Close() error {
	d.s.enter()
	defer d.s.exit()
	d.s.log.add("close")
	return nil
}

// startStepped runs an engine with one stepped device whose point 0001 is
// polled and writable, and waits until its first Read is at its gate.
func startStepped(t *testing.T, s *stepScript) *harness {
	t.Helper()
	p := testPoint("0001", driver.Int, "")
	p.Access = driver.ReadWrite
	dt := testTable("0000000a", "stepped", p)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt},
		drivers: map[string]driver.Factory{"stepped": func() driver.Driver { return &steppedDriver{s: s} }}})
	select {
	case <-s.reading:
	case <-time.After(waitTimeout):
		t.Fatal("the first Read never started")
	}
	return h
}

// writeDuringFirstRead sends a write while the first Read is at its gate,
// opens the gate once the write is queued and returns the reply.
func writeDuringFirstRead(t *testing.T, h *harness, s *stepScript) bus.Reply {
	t.Helper()
	replied := make(chan bus.Reply, 1)
	go func() {
		replied <- h.e.Write(ctxTimeout(t, waitTimeout), bus.WriteCmd{Point: "0000000a.0001", Value: 7})
	}()
	w := h.device("0000000a").worker()
	waitFor(t, "the write queued", func() bool { return len(w.cmds) == 1 })
	close(s.gate)
	return <-replied
}

// order fails the test unless the calls appear in the log in this order.
func order(t *testing.T, log []string, calls ...string) {
	t.Helper()
	last := -1
	for _, c := range calls {
		i := slices.Index(log, c)
		if i < 0 {
			t.Fatalf("%q never happened; calls: %v", c, log)
		}
		if i < last {
			t.Fatalf("%q came before %q; calls: %v", c, calls[slices.Index(calls, c)-1], log)
		}
		last = i
	}
}

func TestWriteRunsAtAYieldOfTheRead(t *testing.T) {
	s := newStepScript(true)
	h := startStepped(t, s)
	if r := writeDuringFirstRead(t, h, s); r.Code != 0 || string(r.Data) != "7" {
		t.Fatalf("write: code %d %s data %s", r.Code, r.Msg, r.Data)
	}
	waitFor(t, "the second read", func() bool { return s.log.count("read 2 end") > 0 })
	// The write went out between the first and the second step, and the
	// Read went on with its later steps and delivered its samples.
	order(t, s.log.all(), "read 1 step 0", "write 0001=7", "read 1 step 1", "read 1 step 2", "read 1 end", "read 2 begin")
	waitFor(t, "the first read's value", func() bool {
		return slices.Contains(h.values("0000000a.0001"), any(int64(1)))
	})
	if n := s.overlaps.Load(); n != 0 {
		t.Fatalf("driver code ran concurrently %d times", n)
	}
	if n := s.log.count("close"); n != 0 {
		t.Fatalf("driver closed %d times; want none", n)
	}
}

func TestWriteWaitsForAReadThatDoesNotYield(t *testing.T) {
	s := newStepScript(false)
	h := startStepped(t, s)
	if r := writeDuringFirstRead(t, h, s); r.Code != 0 {
		t.Fatalf("write: code %d %s", r.Code, r.Msg)
	}
	waitFor(t, "the second read", func() bool { return s.log.count("read 2 begin") > 0 })
	// As before yields existed: after the Read, ahead of the next poll.
	order(t, s.log.all(), "read 1 step 0", "read 1 step 1", "read 1 step 2", "read 1 end", "write 0001=7", "read 2 begin")
	if n := s.overlaps.Load(); n != 0 {
		t.Fatalf("driver code ran concurrently %d times", n)
	}
}

func TestBrokenLinkAtAYieldClosesAfterTheRead(t *testing.T) {
	for _, c := range []struct {
		name   string
		script func(*stepScript)
	}{
		{"reconnect", func(s *stepScript) { s.breakLink = true }},
		{"panic", func(s *stepScript) { s.panicky = true }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStepScript(true)
			c.script(s)
			brokenLinkAtAYield(t, s)
		})
	}
}

func brokenLinkAtAYield(t *testing.T, s *stepScript) {
	h := startStepped(t, s)
	if r := writeDuringFirstRead(t, h, s); r.Code == 0 {
		t.Fatalf("write on a broken link succeeded: %+v", r)
	}
	waitFor(t, "a new instance reading", func() bool { return s.log.count("read 2 begin") > 0 })
	// Yield told the Read to stop, and the driver was closed only after
	// the Read had returned, then started again.
	order(t, s.log.all(), "init", "read 1 step 0", "write 0001=7", "read 1 stopped: reconnect true", "close", "read 2 begin")
	if slices.Contains(s.log.all(), "read 1 step 1") {
		t.Fatalf("the Read went on after Yield failed: %v", s.log.all())
	}
	if n := s.log.count("init"); n != 2 {
		t.Fatalf("%d driver instances, want 2; calls: %v", n, s.log.all())
	}
	if n := s.overlaps.Load(); n != 0 {
		t.Fatalf("driver code ran concurrently %d times", n)
	}
}
