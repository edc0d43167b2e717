package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// overflowTable is devs devices of pts ascending INT counters polled every
// 10 ms: enough samples to fill a 10 MB outbox in seconds, each point a
// counter whose gaps count what was lost.
func overflowTable(devs, pts int) string {
	props := map[string]any{}
	for d := range devs {
		data := map[string]any{}
		for p := range pts {
			data[fmt.Sprintf("%04x", p+1)] = map[string]any{
				"name": fmt.Sprintf("c%d", p), "valuetype": "INT", "readwrite": "1", "refreshcycle": "10",
				"config": map[string]any{"param": map[string]any{"change": "ascending", "min": 0, "max": 1e9, "step": 1}},
			}
		}
		props[fmt.Sprintf("0d%06x", d)] = map[string]any{
			"name": fmt.Sprintf("bank%d", d), "config": map[string]any{"driver": "simulator", "param": map[string]any{}},
			"data": data,
		}
	}
	b, _ := json.Marshal(map[string]any{"name": "overflow", "properties": props})
	return string(b)
}

// TestOutboxOverflow takes the platform away (SIGTERM, checking its
// graceful stop) while an engine with a 10 MB outbox cap polls 300
// counters every 10 ms, until the cap has dropped samples. The outbox's
// files must stay within the cap + 5 % throughout; when the platform
// returns delivery resumes on its own; and the dropped counter must equal
// exactly the samples missing from history.
func TestOutboxOverflow(t *testing.T) {
	const devs, pts, limit = 3, 100, 10 << 20
	r := newFaultRig(t, overflowTable(devs, pts))
	metricsAddr, dataDir := freeAddr(t), t.TempDir()
	metrics := "http://" + metricsAddr
	eng := r.engine(t, r.nats, dataDir, "--metrics", metricsAddr, "--outbox-max-bytes", fmt.Sprint(limit))
	ids := make([]string, 0, devs*pts)
	for d := range devs {
		for p := range pts {
			ids = append(ids, fmt.Sprintf("%s.0d%06x.%04x", r.gw, d, p+1))
		}
	}
	r.point = ids[0]
	r.waitHistoryPast(t, time.Now().UnixMilli(), 30*time.Second)

	t.Logf("platform stopping at %d", time.Now().UnixMilli())
	stopGracefully(t, r.srv, r.c.base)
	t.Logf("platform stopped at %d", time.Now().UnixMilli())
	maxDisk := int64(0)
	outboxDir := filepath.Join(dataDir, "engine", r.gw)
	eventually(t, 90*time.Second, "the cap to drop samples", func() bool {
		maxDisk = max(maxDisk, filesSize(t, outboxDir))
		return scrape(t, metrics+"/metrics", "iotos_outbox_dropped_samples_total") > 0
	})
	// Keep overflowing a while, watching the disk.
	for range 10 {
		maxDisk = max(maxDisk, filesSize(t, outboxDir))
		if b := scrape(t, metrics+"/metrics", "iotos_outbox_bytes"); b > limit*1.05 {
			t.Fatalf("iotos_outbox_bytes %v over the cap %d + 5%%", b, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if maxDisk > limit*105/100 {
		t.Fatalf("outbox files reached %d bytes, over the cap %d + 5%%", maxDisk, limit)
	}

	r.srv = startProc(t, nil, r.serveArgs...)
	waitReady(t, r.c.base, r.srv)
	r.c.login("admin", "fault-pw")
	eventually(t, 90*time.Second, "the backlog to drain", func() bool {
		return scrape(t, metrics+"/metrics", "iotos_outbox_oldest_age_seconds") < 1
	})
	// Stop the engine before judging, so history is read at rest.
	dropped := scrape(t, metrics+"/metrics", "iotos_outbox_dropped_samples_total")
	stopGracefully(t, eng, metrics)
	missing, total := 0, 0
	for _, id := range ids {
		m, n := counterGaps(t, r.c, id)
		missing, total = missing+m, total+n
	}
	if float64(missing) != dropped {
		t.Fatalf("iotos_outbox_dropped_samples_total = %v but %d samples are missing from history (%d stored)", dropped, missing, total)
	}
	t.Logf("cap %d: disk peaked at %d; %d samples dropped and missing, %d stored", limit, maxDisk, missing, total)
}

// counterGaps returns how many values are missing inside a counter's
// history (after its first value and before its last) and how many it has.
func counterGaps(t *testing.T, c *client, id string) (missing, n int) {
	h := fetchHistory(t, c, id)
	sortByTimeAndValue(h)
	for i := 1; i < len(h); i++ {
		step := int(h[i].Value - h[i-1].Value)
		if step < 1 {
			t.Fatalf("%s: value %v then %v (ts %d, %d): repeated or out of order", id, h[i-1].Value, h[i].Value, h[i-1].TS, h[i].TS)
		}
		if step > 1 && step < 50 {
			t.Logf("%s: small gap %v..%v at ts %d..%d", id, h[i-1].Value, h[i].Value, h[i-1].TS, h[i].TS)
		}
		missing += step - 1
	}
	return missing, len(h)
}

// filesSize is the outbox database plus its WAL and shared-memory files.
func filesSize(t *testing.T, dir string) int64 {
	var total int64
	for _, name := range []string{"outbox.db", "outbox.db-wal"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err == nil {
			total += fi.Size()
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return total
}
