package opcua

import (
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// TestSubscribePushesChanges: a subscribe-mode point gets the server's
// changes pushed through the host without any Read, a refused node gets one
// Bad sample, and a poll of the subscribed point answers from the pushed
// value without asking the server.
func TestSubscribePushesChanges(t *testing.T) {
	srv := sharedServer(t)
	temp := point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", modeSubscribe, 100*time.Millisecond)
	missing := point("0002", driver.Float, driver.Read, "ns=2;s=NoSuchNode", modeSubscribe, 100*time.Millisecond)
	slow := point("0003", driver.String, driver.Read, "ns=2;s=Label", modeSubscribe, time.Second)
	d, host := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint(), "watchdog_interval": "1h"}, temp, missing, slow))

	eventually(t, "5 increasing Temperature values pushed", func() bool {
		return increasing(good(host.Samples(), "0001")) >= 5
	})
	eventually(t, "the Label value pushed", func() bool { return len(good(host.Samples(), "0003")) > 0 })
	for _, s := range host.Samples() {
		if s.Point == "0002" && (s.Quality != driver.Bad || s.Code != CodeNodeUnknown) {
			t.Errorf("refused node: %+v, want bad with code %d", s, CodeNodeUnknown)
		}
	}
	if !hasBad(host.Samples(), "0002") {
		t.Error("no bad sample for the refused node")
	}

	reads := counter("Read")
	samples, err := d.Read(testCtx(t), []driver.Point{temp})
	if err != nil || len(samples) != 1 || samples[0].Quality != driver.Good {
		t.Fatalf("Read of a subscribed point: %+v, %v", samples, err)
	}
	if got := counter("Read") - reads; got != 0 {
		t.Errorf("Read of a subscribed point with a pushed value sent %d requests, want 0", got)
	}
}

// good returns the good values pushed for a point, in order.
func good(samples []driver.Sample, id string) []any {
	var out []any
	for _, s := range samples {
		if s.Point == id && s.Quality == driver.Good {
			out = append(out, s.Value)
		}
	}
	return out
}

// increasing counts the values that are larger than the one before.
func increasing(values []any) int {
	n := 0
	for i := 1; i < len(values); i++ {
		if values[i].(float64) > values[i-1].(float64) {
			n++
		}
	}
	return n
}

func hasBad(samples []driver.Sample, id string) bool {
	for _, s := range samples {
		if s.Point == id && s.Quality == driver.Bad {
			return true
		}
	}
	return false
}
