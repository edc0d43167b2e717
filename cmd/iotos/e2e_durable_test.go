package main

import (
	"fmt"
	"os"
	"testing"
	"time"
)

const counterTB = `{
  "name": "durable",
  "properties": {
    "0c0c0c0c": {
      "name": "meter",
      "config": {"driver": "simulator", "param": {}},
      "data": {
        "00c1": {"name": "counter", "valuetype": "INT", "readwrite": "1", "refreshcycle": "10",
                 "config": {"param": {"change": "ascending", "min": 0, "max": 1000000000, "step": 1}}}
      }
    }
  }
}`

// TestPlatformKillLosesNothing is the durable-delivery acceptance check:
// the platform is SIGKILLed while an engine polls an ascending counter every
// 10 ms, stays down, and is restarted on the same data dir and ports; the
// counter's history then holds every integer of the window exactly once,
// including those collected during the outage. IOTOS_LONG_TESTS=1 runs the
// 30 s outage; the default is a shorter one.
func TestPlatformKillLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	outage := 5 * time.Second
	if os.Getenv("IOTOS_LONG_TESTS") != "" {
		outage = 30 * time.Second
	}
	httpAddr, natsAddr, dataDir := freeAddr(t), freeAddr(t), t.TempDir()
	serveArgs := []string{"serve", "--data-dir", dataDir, "--http", httpAddr, "--nats", natsAddr, "--admin-password", "durable-pw"}
	srv := startProc(t, nil, serveArgs...)
	base := "http://" + httpAddr
	waitReady(t, base, srv)
	c := &client{t: t, base: base}
	c.login("admin", "durable-pw")
	var gw struct{ ID, Key string }
	c.ok("POST", "/api/v1/gateways", map[string]string{"name": "durable"}, &gw)
	c.ok("PUT", "/api/v1/gateways/"+gw.ID+"/table", counterTB, nil)
	startProc(t, []string{"IOTOS_GATEWAY_KEY=" + gw.Key}, "engine", "--server", "nats://"+natsAddr, "--gateway", gw.ID, "--data-dir", t.TempDir())

	full := gw.ID + ".0c0c0c0c.00c1"
	eventually(t, 30*time.Second, "counter values", func() bool {
		return currentValue(t, c, full).Value != nil
	})
	time.Sleep(time.Second)
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	killedAt := time.Now().UnixMilli()
	time.Sleep(outage)
	srv2 := startProc(t, nil, serveArgs...)
	waitReady(t, base, srv2)
	restartedAt := time.Now().UnixMilli()
	c.login("admin", "durable-pw")

	// Batches travel several at a time, so one retried after the restart
	// may land after later ones: wait until history covers well past the
	// restart and has no gap, then check it whole.
	var h []histSample
	eventually(t, 60*time.Second, "gapless history past the restart", func() bool {
		h = fetchHistory(t, c, full)
		sortByTimeAndValue(h)
		return len(h) > 0 && h[len(h)-1].TS > restartedAt+2000 && firstGap(h) < 0
	})
	if h[0].TS > killedAt-500 || h[len(h)-1].TS < restartedAt {
		t.Fatalf("history %d..%d does not span the outage %d..%d", h[0].TS, h[len(h)-1].TS, killedAt, restartedAt)
	}
	values := make([]int64, len(h))
	for i, s := range h {
		values[i] = int64(s.Value)
	}
	t.Logf("%d samples, %d..%d, outage %v", len(values), values[0], values[len(values)-1], outage)
}

type histSample struct {
	Value float64 `json:"value"`
	TS    int64   `json:"ts"`
}

func fetchHistory(t *testing.T, c *client, full string) []histSample {
	t.Helper()
	var h struct {
		Samples   []histSample `json:"samples"`
		Truncated bool         `json:"truncated"`
	}
	c.ok("GET", fmt.Sprintf("/api/v1/points/%s/history?from=0&limit=1000000", full), nil, &h)
	if h.Truncated {
		t.Fatalf("history truncated at %d samples", len(h.Samples))
	}
	return h.Samples
}

// firstGap returns the index of the first sample that does not follow its
// predecessor by exactly one (a gap or a duplicate), or -1.
func firstGap(h []histSample) int {
	for i := 1; i < len(h); i++ {
		if h[i].Value != h[i-1].Value+1 {
			return i
		}
	}
	return -1
}
