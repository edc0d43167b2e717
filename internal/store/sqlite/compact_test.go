package sqlite

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

func testID(p int) string { return fmt.Sprintf("%032x.%08x.%04x", 7, 1, p) }

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	must(t, s.r.QueryRowContext(testCtx(t), `SELECT COUNT(*) FROM `+table).Scan(&n))
	return n
}

// TestCompactionPreservesHistory checks that compaction changes the layout
// and nothing else: the same samples, in the same order, with the same Seq.
func TestCompactionPreservesHistory(t *testing.T) {
	c := testCtx(t)
	s, _ := openTemp(t, Options{Synchronous: "OFF"})
	defer s.Close()
	s.stopCompactor() // compaction only when the test says so
	s.compact.cancel = func() {}
	rng := rand.New(rand.NewPCG(3, 4))
	for b := range 150 {
		var batch []model.Sample
		for range 1 + rng.IntN(30) {
			batch = append(batch, model.Sample{ID: testID(rng.IntN(5)), Value: rng.Int64N(1000), TS: rng.Int64N(200), Quality: driver.Good})
		}
		_, err := s.Ingest(c, store.BatchKey{Gateway: "g", Epoch: "e", Seq: uint64(b)}, batch)
		must(t, err)
	}
	queries := []store.HistoryQuery{{Limit: 100000}, {From: 50, To: 120, Limit: 17}, {From: 199, Limit: 3}}
	before := map[string][]model.Sample{}
	for p := range 5 {
		for i, q := range queries {
			q.ID = testID(p)
			got, _, err := s.QueryHistory(c, q)
			must(t, err)
			before[fmt.Sprint(p, i)] = got
		}
	}
	if n := count(t, s, "history_staged"); n != 150 {
		t.Fatalf("%d staged rows before compaction, want 150", n)
	}
	must(t, s.compactAll(c))
	if n := count(t, s, "history_staged"); n != 0 {
		t.Fatalf("%d staged rows after compaction", n)
	}
	if n := count(t, s, "history_chunks"); n > 5*3 {
		t.Fatalf("%d chunk rows for 5 points over 150 batches: compaction did not merge batches", n)
	}
	for p := range 5 {
		for i, q := range queries {
			q.ID = testID(p)
			got, _, err := s.QueryHistory(c, q)
			must(t, err)
			sameHistory(t, got, before[fmt.Sprint(p, i)])
		}
	}
}

// TestBackgroundCompaction ingests past the threshold and waits for the
// compactor to bring the staged rows down on its own.
func TestBackgroundCompaction(t *testing.T) {
	c := testCtx(t)
	s, _ := openTemp(t, Options{Synchronous: "OFF"})
	defer s.Close()
	const batches = 3 * compactThreshold
	for b := range batches {
		_, err := s.Ingest(c, store.BatchKey{Gateway: "g", Epoch: "e", Seq: uint64(b)},
			[]model.Sample{{ID: testID(1), Value: float64(b), TS: int64(b), Quality: driver.Good}})
		must(t, err)
	}
	deadline := time.Now().Add(time.Minute)
	for count(t, s, "history_staged") >= compactThreshold {
		if time.Now().After(deadline) {
			t.Fatalf("%d staged rows a minute after ingest; the compactor did not run", count(t, s, "history_staged"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	got, truncated, err := s.QueryHistory(c, store.HistoryQuery{ID: testID(1), Limit: batches})
	must(t, err)
	if len(got) != batches || truncated {
		t.Fatalf("%d samples (truncated=%v), want %d", len(got), truncated, batches)
	}
	for i, sm := range got {
		if sm.Value != float64(i) {
			t.Fatalf("sample %d = %v after background compaction", i, sm.Value)
		}
	}
}

// TestConcurrentWriters runs ingest, CRUD, audit and retention at once: with
// one writer connection none of them may fail with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	c := testCtx(t)
	s, _ := openTemp(t, Options{Synchronous: "NORMAL"})
	defer s.Close()
	gw := fmt.Sprintf("%032x", 7)
	must(t, s.CreateGateway(c, model.Gateway{ID: gw, Name: "g"}, nil))
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 4 {
		wg.Go(func() {
			for b := range 100 {
				var batch []model.Sample
				for p := range 20 {
					batch = append(batch, model.Sample{ID: testID(p), Value: int64(b), TS: int64(b), Quality: driver.Good})
				}
				if _, err := s.Ingest(c, store.BatchKey{Gateway: gw, Epoch: fmt.Sprint(w), Seq: uint64(b)}, batch); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		for d := range 50 {
			dev := model.Device{ID: fmt.Sprintf("%08x", d), Gateway: gw, Name: fmt.Sprint("d", d), Driver: "simulator"}
			if err := s.CreateDevice(c, dev); err != nil {
				errs <- err
			}
			if err := s.AppendAudit(c, store.AuditRecord{User: "u", Action: "create", Object: gw}); err != nil {
				errs <- err
			}
			if _, err := s.DeleteHistoryBefore(c, -1); err != nil {
				errs <- err
			}
			if _, err := s.ListDevices(c, gw); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	must(t, s.compactAll(c))
	got, _, err := s.QueryHistory(c, store.HistoryQuery{ID: testID(3), Limit: 10000})
	must(t, err)
	if len(got) != 400 {
		t.Fatalf("%d samples of one point, want 4 writers × 100 batches", len(got))
	}
}

// TestRetentionWholeRows checks that retention removes staged and compacted
// rows only when all of their samples are old.
func TestRetentionWholeRows(t *testing.T) {
	c := testCtx(t)
	s, _ := openTemp(t, Options{Synchronous: "OFF"})
	defer s.Close()
	ingest := func(seq uint64, ts ...int64) {
		var batch []model.Sample
		for _, x := range ts {
			batch = append(batch, model.Sample{ID: testID(1), Value: x, TS: x, Quality: driver.Good})
		}
		_, err := s.Ingest(c, store.BatchKey{Gateway: "g", Epoch: "e", Seq: seq}, batch)
		must(t, err)
	}
	ingest(1, 10, 20)
	must(t, s.compactAll(c)) // compacted chunk [10, 20]
	ingest(2, 30, 40)        // staged [30, 40]
	ingest(3, 35, 60)        // staged [35, 60]
	n, err := s.DeleteHistoryBefore(c, 50)
	must(t, err)
	if n != 4 {
		t.Fatalf("removed %d samples, want 4 (the chunk and the first staged row)", n)
	}
	got, _, err := s.QueryHistory(c, store.HistoryQuery{ID: testID(1), Limit: 10})
	must(t, err)
	if len(got) != 2 || got[0].TS != 35 || got[1].TS != 60 {
		t.Fatalf("left %+v, want ts 35 and 60", got)
	}
	if p := s.compact.pending.Load(); p != 1 {
		t.Fatalf("pending staged rows = %d after retention, want 1", p)
	}
}

// TestIngestCompactsInlineAtHighWater stops the background compactor and
// checks that Ingest itself keeps the staged rows bounded.
func TestIngestCompactsInlineAtHighWater(t *testing.T) {
	c := testCtx(t)
	s, _ := openTemp(t, Options{Synchronous: "OFF"})
	defer s.Close()
	s.stopCompactor()
	s.compact.cancel = func() {}
	for b := range highWater + 200 {
		_, err := s.Ingest(c, store.BatchKey{Gateway: "g", Epoch: "e", Seq: uint64(b)},
			[]model.Sample{{ID: testID(b % 3), Value: int64(b), TS: int64(b), Quality: driver.Good}})
		must(t, err)
	}
	if n := count(t, s, "history_staged"); n >= highWater {
		t.Fatalf("%d staged rows with the compactor stopped, want fewer than %d", n, highWater)
	}
	if n := count(t, s, "history_chunks"); n == 0 {
		t.Fatal("no chunk rows: Ingest never compacted inline")
	}
	got, _, err := s.QueryHistory(c, store.HistoryQuery{ID: testID(1), Limit: highWater})
	must(t, err)
	if want := (highWater + 200) / 3; len(got) != want {
		t.Fatalf("%d samples of point 1, want %d", len(got), want)
	}
}

func TestCloseTwice(t *testing.T) {
	s, _ := openTemp(t, Options{})
	must(t, s.Close())
	must(t, s.Close())
}
