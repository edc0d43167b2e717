package app

import (
	"fmt"
	"sort"
	"testing"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

func cacheSample(id string, ts int64, v float64) model.Sample {
	return model.Sample{ID: id, Value: v, TS: ts, Quality: driver.Good}
}

// pendingIDs is what takePending hands over, as "id@ts", sorted.
func pendingIDs(c *valueCache) []string {
	var out []string
	for _, s := range c.takePending() {
		out = append(out, fmt.Sprintf("%s@%d", s.ID, s.TS))
	}
	sort.Strings(out)
	return out
}

func TestValueCacheKeepsTheNewestAndSavesEachPointOnce(t *testing.T) {
	c := newValueCache()
	c.load([]model.Sample{cacheSample("g.d.0001", 10, 1)})
	if got := pendingIDs(c); len(got) != 0 {
		t.Fatalf("loaded values are pending: %v", got)
	}
	c.update([]model.Sample{cacheSample("g.d.0001", 5, 2), cacheSample("g.d.0002", 7, 3)})
	if s, ok := c.get("g.d.0001"); !ok || s.TS != 10 || s.Value != 1.0 {
		t.Fatalf("an older sample replaced the cached one: %+v %v", s, ok)
	}
	c.update([]model.Sample{cacheSample("g.d.0001", 12, 4), cacheSample("g.d.0002", 9, 5), cacheSample("g.d.0002", 11, 6)})
	if got, want := fmt.Sprint(pendingIDs(c)), "[g.d.0001@12 g.d.0002@11]"; got != want {
		t.Fatalf("pending %s, want %s", got, want)
	}
	if got := pendingIDs(c); len(got) != 0 {
		t.Fatalf("pending again after taking: %v", got)
	}
	if s, ok := c.get("g.d.0002"); !ok || s.TS != 11 || s.Value != 6.0 {
		t.Fatalf("get %+v %v", s, ok)
	}
	if _, ok := c.get("g.d.0003"); ok {
		t.Fatal("a value for a point never seen")
	}
}

func TestValueCacheForgetAndPutBack(t *testing.T) {
	c := newValueCache()
	c.update([]model.Sample{cacheSample("g.a.0001", 1, 1), cacheSample("g.a.0002", 1, 1), cacheSample("g.b.0001", 1, 1)})
	c.forget("g.a.0002")
	c.forgetDevice("g", "b")
	if got, want := fmt.Sprint(pendingIDs(c)), "[g.a.0001@1]"; got != want {
		t.Fatalf("pending after forgetting %s, want %s", got, want)
	}
	for _, id := range []string{"g.a.0002", "g.b.0001"} {
		if _, ok := c.get(id); ok {
			t.Fatalf("%s still cached after forgetting it", id)
		}
	}

	// The freed slots are reused: new points get their own values, and a
	// slot listed before it was freed is not taken twice.
	c.update([]model.Sample{cacheSample("g.c.0001", 2, 7), cacheSample("g.c.0002", 2, 8), cacheSample("g.c.0003", 2, 9)})
	c.forget("g.c.0002")
	c.update([]model.Sample{cacheSample("g.c.0004", 3, 10)})
	if got, want := fmt.Sprint(pendingIDs(c)), "[g.c.0001@2 g.c.0003@2 g.c.0004@3]"; got != want {
		t.Fatalf("pending %s, want %s", got, want)
	}
	for id, v := range map[string]float64{"g.a.0001": 1, "g.c.0001": 7, "g.c.0003": 9, "g.c.0004": 10} {
		if s, ok := c.get(id); !ok || s.Value != v {
			t.Fatalf("%s: %+v %v, want value %v", id, s, ok, v)
		}
	}

	// A failed save puts its samples back; a point changed meanwhile is
	// saved with its newer value, a point forgotten meanwhile not at all.
	c.update([]model.Sample{cacheSample("g.a.0001", 4, 11), cacheSample("g.c.0001", 4, 12)})
	failed := c.takePending()
	c.update([]model.Sample{cacheSample("g.a.0001", 5, 13)})
	c.forget("g.c.0001")
	c.putBack(failed)
	if got, want := fmt.Sprint(pendingIDs(c)), "[g.a.0001@5]"; got != want {
		t.Fatalf("pending after putBack %s, want %s", got, want)
	}
	c.forgetGateway("g")
	if _, ok := c.get("g.a.0001"); ok || len(c.index) != 0 {
		t.Fatalf("values left after forgetting the gateway: %d", len(c.index))
	}
}

func TestValueCacheManyPoints(t *testing.T) {
	c := newValueCache()
	n := 3*cachePage + 17
	batch := make([]model.Sample, n)
	for i := range batch {
		batch[i] = cacheSample(fmt.Sprintf("g.%08x.0001", i), int64(i), float64(i))
	}
	c.update(batch)
	for i := 0; i < n; i += 997 {
		if s, ok := c.get(fmt.Sprintf("g.%08x.0001", i)); !ok || s.Value != float64(i) {
			t.Fatalf("point %d: %+v %v", i, s, ok)
		}
	}
	if got := len(c.takePending()); got != n {
		t.Fatalf("%d pending, want %d", got, n)
	}
}
