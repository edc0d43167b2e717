package modbus

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// orderedDevice is a test device that also records the holding-register
// requests it serves, in the order they arrive.
type orderedDevice struct {
	*device
	mu   sync.Mutex
	seen []string
}

func (o *orderedDevice) HandleHoldingRegisters(req *mb.HoldingRegistersRequest) ([]uint16, error) {
	what := "read"
	if req.IsWrite {
		what = "write"
	}
	o.mu.Lock()
	o.seen = append(o.seen, fmt.Sprintf("%s %d+%d", what, req.Addr, req.Quantity))
	o.mu.Unlock()
	return o.device.HandleHoldingRegisters(req)
}

func (o *orderedDevice) requests() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.seen)
}

// startOrderedServer serves o on a loopback port until the test ends.
func startOrderedServer(t *testing.T, o *orderedDevice) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "tcp://" + ln.Addr().String()
	ln.Close()
	srv, err := mb.NewServer(&mb.ServerConfiguration{URL: url, MaxClients: 4, Logger: log.New(io.Discard, "", 0)}, o)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for err = srv.Start(); err != nil; err = srv.Start() {
		if time.Now().After(deadline) {
			t.Fatalf("start server on %s: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { srv.Stop() })
	return url
}

// A write asked for while a planned read is under way goes out between two
// of its requests, at the read's first yield, and the read then carries on
// with its remaining requests.
func TestWriteGoesOutBetweenReadRequests(t *testing.T) {
	o := &orderedDevice{device: newDevice()}
	var pts []driver.Point
	for a := range 300 {
		o.set(1, areaHolding, uint16(a), uint16(a+1))
		pts = append(pts, holdingPoint(fmt.Sprintf("%04x", a+1), a, 1))
	}
	target := holdingPoint("0fff", 1000, 1)
	url := startOrderedServer(t, o)
	m := connected(t, deviceFor(url, map[string]any{"max_registers": 125}, append(slices.Clone(pts), target)...))

	yields := 0
	ctx := driver.WithYield(ctxT(t), func(ctx context.Context) error {
		yields++
		if yields == 1 {
			if res, err := m.Write(ctx, target, int64(42)); err != nil || res.Code != 0 {
				t.Errorf("write at the yield: %+v, %v", res, err)
			}
		}
		return nil
	})
	samples, err := m.Read(ctx, pts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := []string{"read 0+125", "write 1000+1", "read 125+125", "read 250+50"}
	if got := o.requests(); !slices.Equal(got, want) {
		t.Fatalf("the device saw %v, want %v", got, want)
	}
	if yields != 2 {
		t.Fatalf("Read yielded %d times for 3 requests, want 2", yields)
	}
	for i, s := range samples {
		if s.Quality != driver.Good || s.Value != int64(i+1) {
			t.Fatalf("sample %d: %+v, want good %d", i, s, i+1)
		}
	}
	if v := o.get(1, areaHolding, 1000); v != 42 {
		t.Fatalf("register 1000 is %d after the write, want 42", v)
	}
}

// On a shared serial line the read yields between sessions: the wire is
// free there, so writes of this device and of another one on the line go
// out, one request at a time, and the read's later requests see them.
func TestYieldOnSerialLineHoldsNoWire(t *testing.T) {
	a, b := virtualSerial(t)
	sl := startSlave(t, b)
	url := "rtu://" + a + "?baud=115200"
	dev1, pts1 := serialDevice("00000001", url, 1, map[string]any{"max_gap": 0})
	dev2, pts2 := serialDevice("00000002", url, 2, nil)
	m1, m2 := connected(t, dev1), connected(t, dev2)

	yields := 0
	ctx := driver.WithYield(ctxT(t), func(ctx context.Context) error {
		yields++
		select {
		case m1.link.wire <- struct{}{}:
			<-m1.link.wire
		default:
			t.Errorf("yield %d: the serial wire is held", yields)
			return nil
		}
		if yields == 1 {
			if _, err := m1.Write(ctx, pts1[2], int64(1555)); err != nil {
				t.Errorf("write of the reading device: %v", err)
			}
			if _, err := m2.Write(ctx, pts2[2], int64(2555)); err != nil {
				t.Errorf("write of the other device: %v", err)
			}
		}
		return nil
	})
	// Registers 0-1, 5 and 100 with no gap allowed: three requests.
	s, err := m1.Read(ctx, pts1)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if yields != 2 {
		t.Fatalf("Read yielded %d times, want 2", yields)
	}
	for i, w := range []int64{1000, 1001, 1555, 1100} {
		if s[i].Quality != driver.Good || s[i].Value != w {
			t.Fatalf("point %s: %+v, want %d (register 5 read after the write)", s[i].Point, s[i], w)
		}
	}
	if got, err := m2.Read(ctxT(t), pts2[2:3]); err != nil || got[0].Value != int64(2555) {
		t.Fatalf("the other device's register 5: %+v, %v, want 2555", got, err)
	}
	if requests, overlaps := sl.stats(); requests != 6 || overlaps != 0 {
		t.Fatalf("slave saw %d requests (want 3 reads, 2 writes, 1 read), %d overlapping", requests, overlaps)
	}
}

// A write that breaks the link at a yield stops the read with the error
// Yield returns, without sending its remaining requests.
func TestReadStopsWhenYieldFails(t *testing.T) {
	o := &orderedDevice{device: newDevice()}
	var pts []driver.Point
	for a := range 300 {
		pts = append(pts, holdingPoint(fmt.Sprintf("%04x", a+1), a, 1))
	}
	url := startOrderedServer(t, o)
	m := connected(t, deviceFor(url, map[string]any{"max_registers": 125}, pts...))
	stop := fmt.Errorf("link gone: %w", driver.ErrReconnect)
	ctx := driver.WithYield(ctxT(t), func(context.Context) error { return stop })
	if _, err := m.Read(ctx, pts); err != stop {
		t.Fatalf("Read: %v, want the error Yield returned", err)
	}
	if got := o.requests(); !slices.Equal(got, []string{"read 0+125"}) {
		t.Fatalf("the device saw %v after the yield failed, want only the first request", got)
	}
}
