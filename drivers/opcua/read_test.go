package opcua

import (
	"fmt"
	"testing"

	"github.com/gopcua/opcua/stats"

	"github.com/iotos/iotos/pkg/driver"
)

// TestReadBatchesOneRequest reads six nodes of every type and checks they
// went to the server as one Read request of six nodes.
func TestReadBatchesOneRequest(t *testing.T) {
	srv := sharedServer(t)
	points := []driver.Point{
		point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0),
		point("0002", driver.Float, driver.Read, "ns=2;s=Limits.High", "", 0),
		point("0003", driver.Int, driver.Read, "ns=2;s=Mode", "", 0),
		point("0004", driver.Bool, driver.Read, "ns=2;s=Running", "", 0),
		point("0005", driver.String, driver.Read, "ns=2;s=Label", "", 0),
		point("0006", driver.Float, driver.Read, "ns=2;s=Count", "", 0), // an Int32 node read as FLOAT
	}
	// A watchdog that never ticks during the test keeps the counters ours.
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint(), "watchdog_interval": "1h"}, points...))
	reads, nodes := counter("Read"), counter("NodesToRead")
	samples, err := d.Read(testCtx(t), points)
	if err != nil {
		t.Fatal(err)
	}
	if got := counter("Read") - reads; got != 1 {
		t.Errorf("%d Read requests, want 1", got)
	}
	if got := counter("NodesToRead") - nodes; got != 6 {
		t.Errorf("%d nodes read, want 6", got)
	}
	got := byPoint(samples)
	if len(samples) != 6 {
		t.Fatalf("%d samples for 6 points: %v", len(samples), samples)
	}
	for _, p := range points {
		s := got[p.ID]
		if s.Quality != driver.Good || s.TS.IsZero() {
			t.Errorf("point %s: %+v, want a good sample with a timestamp", p.ID, s)
		}
	}
	if v, ok := got["0001"].Value.(float64); !ok || v < 20 {
		t.Errorf("Temperature = %v (%T), want a float64 ≥ 20", got["0001"].Value, got["0001"].Value)
	}
	if v, ok := got["0002"].Value.(float64); !ok || v != 90 {
		t.Errorf("Limits.High = %v (%T), want 90", got["0002"].Value, got["0002"].Value)
	}
	if _, ok := got["0006"].Value.(float64); !ok {
		t.Errorf("Count as FLOAT = %v (%T), want a float64", got["0006"].Value, got["0006"].Value)
	}
}

// TestReadWrongNodeIsLocal: a node the server does not have makes that
// point's sample Bad with 1201 and leaves the others good.
func TestReadWrongNodeIsLocal(t *testing.T) {
	srv := sharedServer(t)
	points := []driver.Point{
		point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0),
		point("0002", driver.Float, driver.Read, "ns=2;s=NoSuchNode", "", 0),
		point("0003", driver.String, driver.Read, "ns=2;s=Label", "", 0),
	}
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint()}, points...))
	samples, err := d.Read(testCtx(t), points)
	if err != nil {
		t.Fatal(err)
	}
	got := byPoint(samples)
	if s := got["0002"]; s.Quality != driver.Bad || s.Code != CodeNodeUnknown {
		t.Errorf("unknown node: %+v, want bad with code %d", s, CodeNodeUnknown)
	}
	for _, id := range []string{"0001", "0003"} {
		if got[id].Quality != driver.Good {
			t.Errorf("point %s: %+v, want good", id, got[id])
		}
	}
	if _, err := d.ReadNow(testCtx(t), points[1]); err != nil {
		t.Errorf("ReadNow of an unknown node failed instead of returning a bad sample: %v", err)
	}
	s, err := d.ReadNow(testCtx(t), points[2])
	if err != nil || s.Quality != driver.Good {
		t.Errorf("ReadNow Label: %+v, %v", s, err)
	}
}

// TestReadTypeMismatchIsBad: a String node read as an INT point is Bad with
// 516, not a zero.
func TestReadTypeMismatchIsBad(t *testing.T) {
	srv := sharedServer(t)
	p := point("0001", driver.Int, driver.Read, "ns=2;s=Label", "", 0)
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint()}, p))
	samples, err := d.Read(testCtx(t), []driver.Point{p})
	if err != nil {
		t.Fatal(err)
	}
	if s := samples[0]; s.Quality != driver.Bad || s.Code != driver.CodeTypeNotValid {
		t.Errorf("got %+v, want bad with code 516", s)
	}
}

func counter(name string) int64 {
	if v := stats.Client().Get(name); v != nil {
		var n int64
		_, _ = fmt.Sscan(v.String(), &n)
		return n
	}
	return 0
}
