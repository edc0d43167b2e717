package engine

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

// TestCollectorCountsDevicesByState runs two simulator devices, pauses one
// and checks iotos_engine_devices for every state.
func TestCollectorCountsDevicesByState(t *testing.T) {
	pt := testPoint("0001", driver.Int, `{"change":"ascending","max":1000}`)
	h := startEngine(t, harnessOpts{cached: []bus.DeviceTable{
		testTable("0000000a", "simulator", pt), testTable("0000000b", "simulator", pt),
	}})
	reg := prometheus.NewRegistry()
	reg.MustRegister(Collector(h.e))
	waitFor(t, "both devices online", func() bool {
		s := devicesByState(t, reg)
		return s[stateOnline] == 2 && s[stateOffline] == 0 && s[statePaused] == 0
	})
	if r := h.e.Collect(ctxTimeout(t, waitTimeout), bus.CollectCmd{Device: "0000000b", Action: "pause"}); r.Code != 0 {
		t.Fatalf("pause: %+v", r)
	}
	if s := devicesByState(t, reg); s[stateOnline] != 1 || s[statePaused] != 1 || s[stateOffline] != 0 || len(s) != 3 {
		t.Fatalf("after pause: %v", s)
	}
}

func devicesByState(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	return out
}
