package main

import (
	"math/rand/v2"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestEngineKillDuringFlushes SIGKILLs the engine again and again while it
// polls a counter every 10 ms and flushes its outbox every 100 ms, with the
// link held so acknowledgements are outstanding, and restarts it on the
// same data dir. After every kill the outbox file opens
// with integrity ok; every sample it still held reaches history; history
// holds each run as one gapless run of the counter, stored once. A final
// SIGTERM must stop the engine with exit 0 within 10 s, /readyz
// answering 503 while it stops. CI kills 8 times; IOTOS_LONG_TESTS=1, 20.
func TestEngineKillDuringFlushes(t *testing.T) {
	r := newFaultRig(t, counterTB)
	kills := 8
	if longTests() {
		kills = 20
	}
	dataDir := t.TempDir()
	// The engine dials through a proxy that holds the link before each
	// kill, so batches are durable but unacknowledged when it dies, and
	// the restart must deliver them.
	proxy := startProxy(t, r.nats)
	var pending []outboxSample
	for i := range kills {
		eng := r.engine(t, proxy.addr, dataDir)
		r.waitHistoryPast(t, time.Now().UnixMilli(), 30*time.Second)
		proxy.hold()
		// Kill at a random moment inside the 100 ms flush cycle.
		time.Sleep(time.Duration(300+rand.IntN(500)) * time.Millisecond)
		if err := eng.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-eng.done
		proxy.cut()
		proxy.restore()
		left := readOutbox(t, dataDir, r.gw)
		t.Logf("kill %d: %d samples left in the outbox", i+1, len(left))
		pending = append(pending, left...)
	}
	if len(pending) == 0 {
		t.Fatal("no kill left unacknowledged samples in the outbox: the test did not exercise recovery")
	}

	metrics := freeAddr(t)
	eng := r.engine(t, proxy.addr, dataDir, "--metrics", metrics)
	h := r.waitHistoryPast(t, time.Now().UnixMilli()+500, 60*time.Second)
	stopGracefully(t, eng, "http://"+metrics)

	checkRuns(t, h, kills+1)
	have := make(map[histSample]bool, len(h))
	for _, s := range h {
		have[s] = true
	}
	for _, p := range pending {
		if !have[histSample{Value: p.Value, TS: p.TS}] {
			t.Fatalf("sample (ts %d, %v) was durable in the outbox at a kill but is not in history", p.TS, p.Value)
		}
	}
	t.Logf("%d kills, %d samples in history, %d recovered from killed outboxes", kills, len(h), len(pending))
}

// checkRuns asserts that history is want gapless runs of the counter, each
// starting where the first did (a restarted simulator counts from its min).
func checkRuns(t *testing.T, h []histSample, want int) {
	t.Helper()
	segs := segments(t, h)
	if len(segs) != want {
		for _, s := range segs {
			t.Logf("run %v..%v (%d samples, ts %d..%d)", s[0].Value, s[len(s)-1].Value, len(s), s[0].TS, s[len(s)-1].TS)
		}
		t.Fatalf("history has %d gapless runs, want one per engine run (%d)", len(segs), want)
	}
	for _, s := range segs {
		if s[0].Value != segs[0][0].Value {
			t.Fatalf("a run starts at %v (ts %d), not at the counter's start %v: its first samples are missing", s[0].Value, s[0].TS, segs[0][0].Value)
		}
	}
}

// stopGracefully sends SIGTERM and checks the shutdown contract: /readyz
// stops answering 200 at once, and the process exits 0 within 10 s.
func stopGracefully(t *testing.T, p *proc, base string) {
	t.Helper()
	if base != "" {
		if code := readyzStatus(base); code != 200 {
			t.Fatalf("/readyz before SIGTERM: %d", code)
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if base != "" {
		if code := readyzStatus(base); code == 200 {
			// The signal is asynchronous: give it a moment, then insist.
			time.Sleep(500 * time.Millisecond)
			if code := readyzStatus(base); code == 200 {
				t.Fatalf("/readyz still 200 after SIGTERM")
			}
		}
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10 s of SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.out.String())
	}
}

// readyzStatus is /readyz's status, or 0 when nothing answers (a server
// that has closed its listener is not ready either).
func readyzStatus(base string) int {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
