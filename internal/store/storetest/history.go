package storetest

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

func key(seq uint64) store.BatchKey {
	return store.BatchKey{Gateway: gwID(1), Epoch: "e1", Seq: seq}
}

func ingest(t *testing.T, s store.Store, k store.BatchKey, samples []model.Sample) {
	t.Helper()
	dup, err := s.Ingest(ctx(t), k, samples)
	must(t, err)
	if dup {
		t.Fatalf("batch %+v reported as duplicate", k)
	}
}

func query(t *testing.T, s store.Store, q store.HistoryQuery) ([]model.Sample, bool) {
	t.Helper()
	out, truncated, err := s.QueryHistory(ctx(t), q)
	must(t, err)
	return out, truncated
}

func good(id string, ts int64, v any) model.Sample {
	return model.Sample{ID: id, Value: v, TS: ts, Quality: driver.Good}
}

func testIngestDedup(t *testing.T, s store.Store) {
	c := ctx(t)
	id := fullID(1, 1, 1)
	batch := []model.Sample{good(id, 10, 1.0), good(id, 11, 2.0)}
	ingest(t, s, key(1), batch)
	dup, err := s.Ingest(c, key(1), []model.Sample{good(id, 12, 3.0)})
	must(t, err)
	if !dup {
		t.Fatal("second Ingest of the same key was not a duplicate")
	}
	other := key(1)
	other.Epoch = "e2" // a new outbox epoch restarts seq: not a duplicate
	ingest(t, s, other, []model.Sample{good(id, 13, 4.0)})
	got, _ := query(t, s, store.HistoryQuery{ID: id, Limit: 100})
	if len(got) != 3 || got[0].Value != 1.0 || got[1].Value != 2.0 || got[2].Value != 4.0 {
		t.Fatalf("history after duplicate = %+v, want 1, 2, 4", got)
	}
	ingest(t, s, key(2), nil) // an empty batch still records its key
	if dup, err = s.Ingest(c, key(2), nil); err != nil || !dup {
		t.Fatalf("empty batch replay: dup=%v err=%v", dup, err)
	}
}

func testIngestRejectsBadID(t *testing.T, s store.Store) {
	c := ctx(t)
	id := fullID(1, 1, 1)
	_, err := s.Ingest(c, key(1), []model.Sample{good(id, 1, 1.0), good("not-a-point", 1, 2.0)})
	if err == nil {
		t.Fatal("Ingest accepted a sample without a full ID")
	}
	_, err = s.Ingest(c, key(1), []model.Sample{{ID: id, Value: struct{}{}, TS: 1, Quality: driver.Good}})
	if err == nil {
		t.Fatal("Ingest accepted a value of an unsupported type")
	}
	// Nothing of the failed batches was kept, not even the key.
	ingest(t, s, key(1), []model.Sample{good(id, 1, 9.0)})
	got, _ := query(t, s, store.HistoryQuery{ID: id, Limit: 10})
	if len(got) != 1 || got[0].Value != 9.0 {
		t.Fatalf("history = %+v, want only the good batch", got)
	}
}

func testHistoryEqualTimestamps(t *testing.T, s store.Store) {
	id := fullID(1, 1, 1)
	// Three batches, each with several samples at the same ts, interleaved
	// with another point; values count up in ingest order.
	v := int64(0)
	for b := uint64(1); b <= 3; b++ {
		var batch []model.Sample
		for i := 0; i < 4; i++ {
			batch = append(batch, good(id, 1000, v), good(fullID(1, 1, 2), 1000, -v))
			v++
		}
		batch = append(batch, good(id, 999, int64(-1)))
		ingest(t, s, key(b), batch)
	}
	got, _ := query(t, s, store.HistoryQuery{ID: id, Limit: 100})
	if len(got) != 15 {
		t.Fatalf("%d samples, want 15", len(got))
	}
	for i := 0; i < 3; i++ {
		if got[i].TS != 999 {
			t.Fatalf("sample %d has ts %d, want the three ts=999 first", i, got[i].TS)
		}
	}
	for i, sm := range got[3:] {
		if sm.TS != 1000 || sm.Value != int64(i) {
			t.Fatalf("sample %d = %+v, want ts 1000 value %d (ingest order)", i+3, sm, i)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].TS == got[i-1].TS && got[i].Seq <= got[i-1].Seq {
			t.Fatalf("Seq not increasing among equal ts at %d: %d then %d", i, got[i-1].Seq, got[i].Seq)
		}
	}
}

func testHistoryRangeLimit(t *testing.T, s store.Store) {
	id := fullID(1, 1, 1)
	var batch []model.Sample
	for ts := int64(10); ts <= 100; ts += 10 {
		batch = append(batch, good(id, ts, float64(ts)))
	}
	ingest(t, s, key(1), batch)
	got, tr := query(t, s, store.HistoryQuery{ID: id, From: 20, To: 50, Limit: 100})
	if len(got) != 4 || got[0].TS != 20 || got[3].TS != 50 || tr {
		t.Fatalf("[20,50] = %v truncated=%v, want 20..50 inclusive", tsOf(got), tr)
	}
	got, tr = query(t, s, store.HistoryQuery{ID: id, From: 20, To: 50, Limit: 3})
	if len(got) != 3 || got[2].TS != 40 || !tr {
		t.Fatalf("[20,50] limit 3 = %v truncated=%v", tsOf(got), tr)
	}
	got, tr = query(t, s, store.HistoryQuery{ID: id, From: 20, To: 50, Limit: 4})
	if len(got) != 4 || tr {
		t.Fatalf("limit equal to the match count: %v truncated=%v", tsOf(got), tr)
	}
	got, tr = query(t, s, store.HistoryQuery{ID: id, From: 95, Limit: 100})
	if len(got) != 1 || got[0].TS != 100 || tr {
		t.Fatalf("From 95, no To = %v", tsOf(got))
	}
	got, tr = query(t, s, store.HistoryQuery{ID: id, From: 101, Limit: 100})
	if len(got) != 0 || tr {
		t.Fatalf("past the end = %v", tsOf(got))
	}
	got, tr = query(t, s, store.HistoryQuery{ID: fullID(1, 1, 9), Limit: 100})
	if len(got) != 0 || tr {
		t.Fatalf("point without history = %v", tsOf(got))
	}
}

func testHistoryValues(t *testing.T, s store.Store) {
	id := fullID(1, 1, 1)
	in := []model.Sample{
		good(id, 1, true), good(id, 2, false), good(id, 3, int64(-1<<63)), good(id, 4, int64(1<<63-1)),
		good(id, 5, 0.1), good(id, 6, -1e300), good(id, 7, ""), good(id, 8, "ünïcode ✓"),
		{ID: id, Value: nil, TS: 9, Quality: driver.Bad, Code: 504},
		{ID: id, Value: 2.5, TS: 10, Quality: driver.Uncertain},
		{ID: id, Value: nil, TS: -5, Quality: driver.Bad, Code: 70001},
		{ID: id, Value: int64(7), TS: 1 << 50, Quality: driver.Good, Code: -3},
	}
	ingest(t, s, key(1), in)
	got, _ := query(t, s, store.HistoryQuery{ID: id, From: -10, Limit: 100})
	want := slices.Clone(in)
	slices.SortStableFunc(want, func(a, b model.Sample) int { return cmp.Compare(a.TS, b.TS) })
	if len(got) != len(want) {
		t.Fatalf("%d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if !sameSample(got[i], want[i]) {
			t.Errorf("sample %d = %+v (%T), want %+v (%T)", i, got[i], got[i].Value, want[i], want[i].Value)
		}
	}
}

// testHistoryPaging ingests out-of-order, colliding timestamps over many
// batches and checks every page against a reference sort.
func testHistoryPaging(t *testing.T, s store.Store) {
	id := fullID(1, 1, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	var ref []model.Sample
	for b := uint64(1); b <= 60; b++ {
		var batch []model.Sample
		for i := 0; i < 1+rng.IntN(20); i++ {
			sm := good(id, rng.Int64N(500), int64(len(ref)))
			batch = append(batch, sm, good(fullID(1, 1, 2), sm.TS, int64(0)))
			ref = append(ref, sm)
		}
		ingest(t, s, key(b), batch)
	}
	// Reference order: ts, then ingest order (the value is the ingest index).
	slices.SortStableFunc(ref, func(a, b model.Sample) int { return cmp.Compare(a.TS, b.TS) })
	for _, q := range []store.HistoryQuery{
		{ID: id, Limit: 7}, {ID: id, From: 100, To: 300, Limit: 13}, {ID: id, From: 250, Limit: 1},
		{ID: id, Limit: len(ref)}, {ID: id, From: 0, To: 499, Limit: len(ref) - 1},
	} {
		want := filterRange(ref, q)
		got, tr := query(t, s, q)
		if wantTr := len(want) > q.Limit; tr != wantTr {
			t.Fatalf("%+v: truncated=%v, want %v", q, tr, wantTr)
		}
		want = want[:min(len(want), q.Limit)]
		if len(got) != len(want) {
			t.Fatalf("%+v: %d samples, want %d", q, len(got), len(want))
		}
		for i := range want {
			if got[i].TS != want[i].TS || got[i].Value != want[i].Value {
				t.Fatalf("%+v: sample %d = (%d, %v), want (%d, %v)", q, i, got[i].TS, got[i].Value, want[i].TS, want[i].Value)
			}
		}
	}
}

func filterRange(ref []model.Sample, q store.HistoryQuery) []model.Sample {
	var out []model.Sample
	for _, sm := range ref {
		if sm.TS >= q.From && (q.To == 0 || sm.TS <= q.To) {
			out = append(out, sm)
		}
	}
	return out
}

// testRetention checks what every layout guarantees: samples at or after
// the cutoff stay, the count returned is what went, and a cutoff past
// everything empties history and forgets batch keys. How much older data a
// store keeps (whole chunks) is its own business.
func testRetention(t *testing.T, s store.Store) {
	c := ctx(t)
	a, b := fullID(1, 1, 1), fullID(1, 1, 2)
	ingest(t, s, key(1), []model.Sample{good(a, 10, 1.0), good(a, 20, 2.0), good(b, 15, 3.0)})
	ingest(t, s, key(2), []model.Sample{good(a, 30, 4.0), good(b, 40, 5.0)})
	ingest(t, s, key(3), []model.Sample{good(a, 25, 6.0), good(a, 50, 7.0)})
	n, err := s.DeleteHistoryBefore(c, 30)
	must(t, err)
	left := 0
	for _, id := range []string{a, b} {
		got, _ := query(t, s, store.HistoryQuery{ID: id, Limit: 100})
		left += len(got)
		var recent []int64
		for _, sm := range got {
			if sm.TS >= 30 {
				recent = append(recent, sm.TS)
			}
		}
		want := map[string][]int64{a: {30, 50}, b: {40}}[id]
		if !slices.Equal(recent, want) {
			t.Fatalf("after retention %s keeps %v at or after 30, want %v", id, recent, want)
		}
	}
	if int(n) != 7-left {
		t.Fatalf("DeleteHistoryBefore(30) reported %d removed, but %d of 7 are left", n, left)
	}
	// Batch keys were stored now, so a cutoff in the past keeps them ...
	if dup, err := s.Ingest(c, key(1), nil); err != nil || !dup {
		t.Fatalf("batch key 1 lost to retention of old samples: dup=%v err=%v", dup, err)
	}
	// ... and a cutoff in the future removes everything, keys included.
	n, err = s.DeleteHistoryBefore(c, time.Now().Add(time.Hour).UnixMilli())
	must(t, err)
	if int(n) != left {
		t.Fatalf("second retention removed %d samples, want %d", n, left)
	}
	for _, id := range []string{a, b} {
		if got, _ := query(t, s, store.HistoryQuery{ID: id, Limit: 100}); len(got) != 0 {
			t.Fatalf("history of %s left after full retention: %v", id, tsOf(got))
		}
	}
	ingest(t, s, key(1), []model.Sample{good(a, 100, 8.0)})
}

func tsOf(samples []model.Sample) []int64 {
	out := make([]int64, len(samples))
	for i, sm := range samples {
		out[i] = sm.TS
	}
	return out
}
