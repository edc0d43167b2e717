package storetest

import (
	"testing"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

func lastValues(t *testing.T, s store.Store) map[string]model.Sample {
	t.Helper()
	vals, err := s.LastValues(ctx(t))
	must(t, err)
	out := map[string]model.Sample{}
	for _, v := range vals {
		out[v.ID] = v
	}
	return out
}

func testLastValuesNewerWins(t *testing.T, s store.Store) {
	c := ctx(t)
	a, b := fullID(1, 1, 1), fullID(1, 1, 2)
	must(t, s.SaveLastValues(c, []model.Sample{
		{ID: a, Value: 1.0, TS: 100, Quality: driver.Good},
		{ID: b, Value: int64(1), TS: 100, Quality: driver.Good},
	}))
	must(t, s.SaveLastValues(c, []model.Sample{
		{ID: a, Value: 2.0, TS: 50, Quality: driver.Good},       // older: ignored
		{ID: b, Value: int64(2), TS: 100, Quality: driver.Good}, // same ts: replaces
	}))
	got := lastValues(t, s)
	if got[a].Value != 1.0 || got[a].TS != 100 {
		t.Fatalf("older sample replaced a newer one: %+v", got[a])
	}
	if got[b].Value != int64(2) {
		t.Fatalf("equal-ts sample did not replace: %+v", got[b])
	}
	// In one call, the newest of several samples of a point wins whatever the order.
	must(t, s.SaveLastValues(c, []model.Sample{
		{ID: a, Value: 5.0, TS: 300, Quality: driver.Good},
		{ID: a, Value: 4.0, TS: 200, Quality: driver.Good},
	}))
	if got = lastValues(t, s); got[a].Value != 5.0 || got[a].TS != 300 {
		t.Fatalf("newest of one call lost: %+v", got[a])
	}
	must(t, s.SaveLastValues(c, nil))
}

func testLastValueKinds(t *testing.T, s store.Store) {
	c := ctx(t)
	in := []model.Sample{
		{ID: fullID(1, 1, 1), Value: true, TS: 1, Quality: driver.Good},
		{ID: fullID(1, 1, 2), Value: int64(-1 << 62), TS: 2, Quality: driver.Good},
		{ID: fullID(1, 1, 3), Value: 3.25, TS: 3, Quality: driver.Uncertain},
		{ID: fullID(1, 1, 4), Value: "héllo", TS: 4, Quality: driver.Good},
		{ID: fullID(1, 1, 5), Value: nil, TS: 5, Quality: driver.Bad, Code: 504},
		{ID: fullID(1, 1, 6), Value: false, TS: 6, Quality: driver.Good},
		{ID: fullID(1, 1, 7), Value: "", TS: 7, Quality: driver.Good},
	}
	must(t, s.SaveLastValues(c, in))
	got := lastValues(t, s)
	if len(got) != len(in) {
		t.Fatalf("%d last values, want %d", len(got), len(in))
	}
	for _, w := range in {
		if g := got[w.ID]; !sameSample(g, w) {
			t.Errorf("last value %s = %+v (%T), want %+v (%T)", w.ID, g, g.Value, w, w.Value)
		}
	}
}

// sameSample compares everything but Seq, with the value's Go type.
func sameSample(a, b model.Sample) bool {
	return a.ID == b.ID && a.TS == b.TS && a.Quality == b.Quality && a.Code == b.Code && a.Value == b.Value
}
