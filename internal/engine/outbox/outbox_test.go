package outbox

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestPragmasAndSchema(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	defer o.Close()
	want := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"auto_vacuum":  "2", // INCREMENTAL
		"busy_timeout": "10000",
		// Scaled to the cap (256 MiB default): SQLite's 1000-page ceiling.
		"wal_autocheckpoint": "1000",
		"journal_size_limit": "4096000",
	}
	for pragma, value := range want {
		var got string
		if err := o.db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != value {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, value)
		}
	}
	if len(o.Epoch()) != 16 {
		t.Errorf("epoch %q is not 16 hex digits", o.Epoch())
	}
}

func TestDeliversEverySampleOnceInOrderAcrossOutages(t *testing.T) {
	for _, window := range []int{1, 8} {
		t.Run(fmt.Sprintf("window=%d", window), func(t *testing.T) {
			o := openT(t, t.TempDir(), Options{MaxBatch: 50, FlushInterval: 5e6, Window: window})
			defer o.Close()
			link := newFakeLink(true)
			stop := runT(t, o, link)
			const rounds, perRound = 40, 73
			for r := range rounds {
				switch r % 10 {
				case 3:
					link.setUp(false)
				case 6:
					link.setUp(true)
				case 8:
					link.loseNextAcks(2) // stored but unacknowledged: resent, acked as duplicates
				}
				o.Add(makeSamples(r*perRound, perRound))
				if r%5 == 0 {
					waitFor(t, "a flush", func() bool { return o.Stats().Buffered == 0 })
				}
			}
			link.setUp(true)
			total := rounds * perRound
			waitFor(t, "every sample delivered", func() bool { return link.sampleCount() >= total })
			waitFor(t, "empty backlog", func() bool { b, _, _ := o.Backlog(); return b == 0 })
			stop()

			ts := timestampsBySeq(link.batches())
			if len(ts) != total {
				t.Fatalf("delivered %d samples, want %d", len(ts), total)
			}
			for i, v := range ts {
				if v != int64(i) {
					t.Fatalf("sample %d has T %d: delivery is not exactly once in add order", i, v)
				}
			}
			if window == 1 {
				assertArrivalInSeqOrder(t, link)
			}
			if n := rowCount(t, o); n != 0 {
				t.Errorf("%d rows left after every ack", n)
			}
			st := o.Stats()
			if st.Duplicates == 0 || st.Failures == 0 {
				t.Errorf("stats %+v: the lost acks and outage were not exercised", st)
			}
			if st.Dropped != 0 {
				t.Errorf("dropped %d samples with no cap pressure", st.Dropped)
			}
		})
	}
}

func assertArrivalInSeqOrder(t *testing.T, link *fakeLink) {
	t.Helper()
	var last uint64
	for _, b := range link.batches() {
		if b.Seq <= last {
			t.Fatalf("batch %d arrived after batch %d", b.Seq, last)
		}
		last = b.Seq
	}
}

func TestAckDeletesRowsAndDuplicateAckCounts(t *testing.T) {
	o := openT(t, t.TempDir(), Options{MaxBatch: 10})
	defer o.Close()
	o.Add(makeSamples(0, 100))
	waitFor(t, "10 batches", func() bool { return o.Stats().Batches == 10 })

	link := newFakeLink(true)
	for seq := uint64(1); seq <= 4; seq++ { // stored earlier, e.g. before a crash lost the acks
		link.stored[fmt.Sprintf("%s/%d", o.Epoch(), seq)] = true
	}
	stop := runT(t, o, link)
	waitFor(t, "rows deleted", func() bool { return rowCount(t, o) == 0 })
	stop()
	st := o.Stats()
	if st.Acked != 10 || st.Duplicates != 4 {
		t.Errorf("acked %d duplicates %d, want 10 and 4", st.Acked, st.Duplicates)
	}
	if got := len(link.batches()); got != 6 {
		t.Errorf("platform stored %d new batches, want 6", got)
	}
	if b, bytes, _ := o.Backlog(); b != 0 || bytes != 0 {
		t.Errorf("backlog %d batches %d bytes after every ack", b, bytes)
	}
}

func TestReopenKeepsEpochRowsAndSeq(t *testing.T) {
	dir := t.TempDir()
	o := openT(t, dir, Options{MaxBatch: 10})
	epoch := o.Epoch()
	o.Add(makeSamples(0, 30))
	if err := o.Close(); err != nil { // Close makes the buffer durable
		t.Fatal(err)
	}

	o = openT(t, dir, Options{MaxBatch: 10})
	if o.Epoch() != epoch {
		t.Fatalf("epoch changed from %s to %s", epoch, o.Epoch())
	}
	if b, _, _ := o.Backlog(); b != 3 {
		t.Fatalf("backlog %d batches after reopen, want 3", b)
	}
	link := newFakeLink(true)
	stop := runT(t, o, link)
	waitFor(t, "drained", func() bool { return rowCount(t, o) == 0 })
	stop()
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}

	// Every row, the tail included, is gone: the next seq must still be new.
	o = openT(t, dir, Options{MaxBatch: 10})
	defer o.Close()
	o.Add(makeSamples(30, 10))
	waitFor(t, "a new batch", func() bool { return o.Stats().Batches == 1 })
	var seq uint64
	if err := o.db.QueryRow(`SELECT seq FROM batches`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if seq != 4 {
		t.Errorf("new batch got seq %d, want 4 (seqs 1-3 were used)", seq)
	}
	if o.Stats().LastSeq != 4 {
		t.Errorf("LastSeq %d, want 4", o.Stats().LastSeq)
	}
}

func TestDamagedDatabaseIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	junk := []byte("this is not an sqlite database, it is junk left by a broken disk....")
	if err := os.WriteFile(filepath.Join(dir, fileName), append(junk, junk...), 0o600); err != nil {
		t.Fatal(err)
	}
	o := openT(t, dir, Options{})
	defer o.Close()
	aside, _ := filepath.Glob(filepath.Join(dir, fileName+".corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("damaged file not kept aside: %v", aside)
	}
	o.Add(makeSamples(0, 5))
	waitFor(t, "append to the new database", func() bool { return rowCount(t, o) == 1 })
}

func TestPipelinesUpToWindowAndNoMore(t *testing.T) {
	o := openT(t, t.TempDir(), Options{MaxBatch: 10, Window: 4})
	defer o.Close()
	o.Add(makeSamples(0, 200)) // 20 batches
	waitFor(t, "20 batches", func() bool { return o.Stats().Batches == 20 })
	link := newFakeLink(true)
	link.gate = make(chan struct{})
	stop := runT(t, o, link)
	waitFor(t, "a full window in flight", func() bool { now, _ := link.concurrency(); return now == 4 })
	close(link.gate)
	waitFor(t, "drained", func() bool { return rowCount(t, o) == 0 })
	stop()
	if _, highest := link.concurrency(); highest != 4 {
		t.Errorf("at most %d batches were in flight, want exactly the window of 4", highest)
	}
	if got := link.sampleCount(); got != 200 {
		t.Errorf("delivered %d samples, want 200", got)
	}
}

func TestFailedAppendsStayBoundedAndCounted(t *testing.T) {
	o := openT(t, t.TempDir(), Options{MaxBatch: 10}) // memory bound: 160 samples
	defer o.Close()
	o.flushMu.Lock()
	defer o.flushMu.Unlock()
	batches, _ := encodeBatches(makeSamples(0, 300), 10)
	o.keepUnwritten(batches)
	kept := 0
	for _, b := range o.unwritten {
		kept += b.n
	}
	if kept != 160 || o.dropped.Load() != 140 {
		t.Errorf("kept %d, dropped %d; want the newest 160 kept and 140 counted", kept, o.dropped.Load())
	}
	if first, _ := decodeBatch(1, o.unwritten[0].payload); first[0].T != 140 {
		t.Errorf("oldest kept sample has T %d, want 140", first[0].T)
	}
}

func TestAddAfterCloseCountsAsDropped(t *testing.T) {
	o := openT(t, t.TempDir(), Options{})
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	o.Add(makeSamples(0, 7))
	if _, _, dropped := o.Backlog(); dropped != 7 {
		t.Errorf("dropped %d, want 7", dropped)
	}
}

func TestStatsDescribeTheBacklog(t *testing.T) {
	o := openT(t, t.TempDir(), Options{MaxBatch: 10})
	defer o.Close()
	o.Add(makeSamples(0, 25))
	waitFor(t, "3 batches", func() bool { return o.Stats().Batches == 3 })
	st := o.Stats()
	if st.Batches != 3 || st.Samples != 25 || st.Bytes <= 0 || st.LastSeq != 3 || st.DiskBytes <= 0 {
		t.Errorf("stats %+v", st)
	}
	if st.Epoch != o.Epoch() || st.OldestAge < 0 {
		t.Errorf("stats %+v", st)
	}
}
