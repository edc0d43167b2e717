package engine

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

// TestSamplesMatchTheirPointsInAnyOrder has the driver answer a poll out
// of the group's order, one sample by point name and one for a point it
// was not asked about: each value must land on its own point, in the sink
// and in memory, however the pipeline matches samples to points.
func TestSamplesMatchTheirPointsInAnyOrder(t *testing.T) {
	var polls atomic.Int64
	read := func(_ context.Context, points []driver.Point) ([]driver.Sample, error) {
		n := polls.Add(1) * 100
		return []driver.Sample{
			driver.GoodSample("0003", n+3),
			driver.GoodSample("p0002", n+2), // by name
			driver.GoodSample("00ff", n),    // not a point of the device
			driver.GoodSample("0001", n+1),
		}, nil
	}
	dt := testTable("0000000a", "fake",
		testPoint("0001", driver.Int, ""), testPoint("0002", driver.Int, ""), testPoint("0003", driver.Int, ""))
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{dt}, drivers: map[string]driver.Factory{"fake": fakeFactory(&callLog{}, read)}})
	waitFor(t, "three reports of every point", func() bool {
		for _, k := range []string{"0000000a.0001", "0000000a.0002", "0000000a.0003"} {
			if len(h.values(k)) < 3 {
				return false
			}
		}
		return true
	})
	for i, k := range []string{"0000000a.0001", "0000000a.0002", "0000000a.0003"} {
		vals := h.values(k)
		for j, v := range vals {
			n, ok := v.(int64)
			if !ok || n%100 != int64(i+1) || (j > 0 && n <= vals[j-1].(int64)) {
				t.Fatalf("%s got %v: want increasing values ending in %d", k, vals, i+1)
			}
		}
		s, ok := h.e.memory.get(k)
		if n, _ := s.Value.(int64); !ok || n%100 != int64(i+1) {
			t.Fatalf("memory %s = %+v, %v", k, s, ok)
		}
	}
	if len(h.sink.of("0000000a.00ff")) != 0 {
		t.Fatal("a sample for an unknown point was reported")
	}
}
