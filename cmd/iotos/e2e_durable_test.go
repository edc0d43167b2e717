package main

import (
	"fmt"
	"os"
	"sort"
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

	// Wait until history covers well past the restart, then check it whole.
	var values []int64
	eventually(t, 60*time.Second, "history past the restart", func() bool {
		values = counterHistory(t, c, full)
		h := historyTS(t, c, full)
		return len(h) > 0 && h[len(h)-1] > restartedAt+2000
	})
	ts := historyTS(t, c, full)
	if ts[0] > killedAt-500 || ts[len(ts)-1] < restartedAt {
		t.Fatalf("history %d..%d does not span the outage %d..%d", ts[0], ts[len(ts)-1], killedAt, restartedAt)
	}
	for i := 1; i < len(values); i++ {
		if values[i] != values[i-1]+1 {
			t.Fatalf("history not gapless/unique at %d: %d then %d (of %d samples)", i, values[i-1], values[i], len(values))
		}
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

func counterHistory(t *testing.T, c *client, full string) []int64 {
	h := fetchHistory(t, c, full)
	sort.SliceStable(h, func(i, j int) bool { return h[i].TS < h[j].TS })
	out := make([]int64, len(h))
	for i, s := range h {
		out[i] = int64(s.Value)
	}
	return out
}

func historyTS(t *testing.T, c *client, full string) []int64 {
	h := fetchHistory(t, c, full)
	out := make([]int64, len(h))
	for i, s := range h {
		out[i] = s.TS
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
