package modbus

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// drawItems draws a poll group: points of up to three units in every area,
// registers wide enough for every kind.
func drawItems(t *rapid.T, maxSize int) []item {
	n := rapid.IntRange(0, 200).Draw(t, "points")
	items := make([]item, n)
	for i := range items {
		a := area(rapid.IntRange(0, 3).Draw(t, "area"))
		size := 1
		if !a.bits() {
			size = rapid.IntRange(1, maxSize).Draw(t, "size")
		}
		tg := &tag{
			id:   fmt.Sprintf("%04x", i),
			unit: uint8(rapid.IntRange(1, 3).Draw(t, "unit")),
			area: a,
			addr: rapid.IntRange(0, 600).Draw(t, "addr"),
			size: size,
		}
		items[i] = item{tag: tg, index: i}
	}
	return items
}

func TestPlannerProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxSize := rapid.IntRange(1, 8).Draw(t, "maxSize")
		p := newPlanner(
			rapid.IntRange(maxSize, maxRegistersPerRead).Draw(t, "maxRegisters"),
			rapid.IntRange(1, maxBitsPerRead).Draw(t, "maxBits"),
			rapid.IntRange(0, 30).Draw(t, "maxGap"),
		)
		items := drawItems(t, maxSize)
		for _, it := range items {
			if rapid.IntRange(0, 20).Draw(t, "isolate") == 0 {
				p.isolate(it.tag)
			}
		}
		if rapid.Bool().Draw(t, "learn") {
			p.learnLimit(limitKey{1, areaHolding}, rapid.IntRange(maxSize, maxRegistersPerRead).Draw(t, "learned"))
		}
		checkPlan(t, p, items, p.plan(items))
	})
}

func checkPlan(t *rapid.T, p *planner, items []item, reqs []request) {
	seen := make([]int, len(items))
	for _, r := range reqs {
		if len(r.items) == 0 {
			t.Fatalf("empty request %+v", r)
		}
		if r.count > p.limit(r.key()) {
			t.Fatalf("request %+v over the limit %d", r, p.limit(r.key()))
		}
		end := r.addr
		for i, it := range r.items {
			tg := it.tag
			seen[it.index]++
			if tg.unit != r.unit || tg.area != r.area {
				t.Fatalf("request for unit %d %s holds %s", r.unit, r.area, tg)
			}
			if tg.addr < r.addr || it.end() > r.addr+r.count {
				t.Fatalf("%s outside request %d+%d", tg, r.addr, r.count)
			}
			if i > 0 && tg.addr-end > p.gap(r.area) {
				t.Fatalf("request %d+%d reads through a gap of %d > %d", r.addr, r.count, tg.addr-end, p.gap(r.area))
			}
			if len(r.items) > 1 && p.isolated[tg] {
				t.Fatalf("isolated %s merged with others", tg)
			}
			end = max(end, it.end())
		}
		if r.addr != r.items[0].tag.addr || end != r.addr+r.count {
			t.Fatalf("request %d+%d does not fit its items (first %d, end %d)", r.addr, r.count, r.items[0].tag.addr, end)
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("point %d covered by %d requests", i, n)
		}
	}
}

// Contiguous registers fill each request up to the limit.
func TestPlannerMergesContiguous(t *testing.T) {
	p := newPlanner(125, 2000, 0)
	var items []item
	for i := range 300 {
		items = append(items, item{tag: &tag{id: fmt.Sprint(i), unit: 1, area: areaHolding, addr: i, size: 1}, index: i})
	}
	if reqs := p.plan(items); len(reqs) != 3 || reqs[0].count != 125 || reqs[2].count != 50 {
		t.Fatalf("300 contiguous registers planned as %d requests", len(reqs))
	}
}

func TestPlannerSplitAndLearn(t *testing.T) {
	p := newPlanner(125, 2000, 10)
	var items []item
	for i := range 10 {
		items = append(items, item{tag: &tag{id: fmt.Sprint(i), unit: 1, area: areaInput, addr: 2 * i, size: 2}, index: i})
	}
	reqs := p.cached(items)
	if len(reqs) != 1 || reqs[0].count != 20 {
		t.Fatalf("plan %+v", reqs)
	}
	a, b := p.split(reqs[0])
	if a.addr != 0 || a.count != 10 || b.addr != 10 || b.count != 10 || len(a.items)+len(b.items) != 10 {
		t.Fatalf("split into %d+%d and %d+%d", a.addr, a.count, b.addr, b.count)
	}
	p.learnLimit(reqs[0].key(), 10)
	if reqs := p.cached(items); len(reqs) != 2 {
		t.Fatalf("after learning a limit of 10: %d requests", len(reqs))
	}
	p.learnLimit(reqs[0].key(), 50) // a larger limit is never learned back
	if p.limit(reqs[0].key()) != 10 {
		t.Fatalf("limit grew to %d", p.limit(reqs[0].key()))
	}
}

// A cached plan is reused only for the same points at the same positions:
// the samples go to those positions.
func TestPlannerCacheKeyedByPosition(t *testing.T) {
	p := newPlanner(125, 2000, 10)
	a := &tag{id: "000a", unit: 1, area: areaHolding, addr: 0, size: 1}
	first := p.cached([]item{{tag: a, index: 0}})
	second := p.cached([]item{{tag: a, index: 1}})
	if first[0].items[0].index != 0 || second[0].items[0].index != 1 {
		t.Fatalf("plans %+v and %+v", first, second)
	}
	if again := p.cached([]item{{tag: a, index: 0}}); &again[0] != &first[0] {
		t.Fatal("the same point sequence was planned again")
	}
}
