package modbus

import "slices"

// item is one point of a Read: its compiled tag and its index in the slice
// the engine passed, where its sample goes.
type item struct {
	tag   *tag
	index int
}

func (it item) end() int { return it.tag.addr + it.tag.size }

// request is one read request: a block of one area of one unit covering
// the items it serves, sorted by address.
type request struct {
	unit  uint8
	area  area
	addr  int
	count int
	items []item
}

func (r request) key() limitKey { return limitKey{r.unit, r.area} }

// limitKey identifies where a learned request-size limit applies.
type limitKey struct {
	unit uint8
	area area
}

// planner compiles a poll group into the fewest read requests: points of the
// same unit and area whose addresses are contiguous or separated by at most
// maxGap unused registers share a request, up to the request-size limit.
// It learns from exception responses: limits a device turned out to have,
// and points that must be read on their own.
type planner struct {
	maxRegisters, maxBits, maxGap int

	learned  map[limitKey]int
	isolated map[*tag]bool
	cache    map[uint64][]cachedPlan
}

func newPlanner(maxRegisters, maxBits, maxGap int) *planner {
	return &planner{
		maxRegisters: maxRegisters, maxBits: maxBits, maxGap: maxGap,
		learned: map[limitKey]int{}, isolated: map[*tag]bool{}, cache: map[uint64][]cachedPlan{},
	}
}

// maxCachedPlans bounds the plan cache; poll groups are few, so reaching it
// means the engine passes varying point sets and caching does not pay.
const maxCachedPlans = 256

// cachedPlan is a plan and the exact point sequence it was made for.
type cachedPlan struct {
	items []item
	reqs  []request
}

// cached returns the plan for items, planning once per distinct point
// sequence. The lookup hashes the points and then compares them, so a
// poll costs no allocation and a hash collision cannot return a wrong plan.
func (p *planner) cached(items []item) []request {
	key := hashItems(items)
	for _, c := range p.cache[key] {
		if slices.Equal(c.items, items) {
			return c.reqs
		}
	}
	reqs := p.plan(items)
	if len(p.cache) >= maxCachedPlans {
		clear(p.cache)
	}
	p.cache[key] = append(p.cache[key], cachedPlan{items: slices.Clone(items), reqs: reqs})
	return reqs
}

// hashItems is FNV-1a over the items' point IDs and positions.
func hashItems(items []item) uint64 {
	h := uint64(14695981039346656037)
	for _, it := range items {
		for i := 0; i < len(it.tag.id); i++ {
			h = (h ^ uint64(it.tag.id[i])) * 1099511628211
		}
		h = (h ^ uint64(it.index)) * 1099511628211
	}
	return h
}

// limit is the most registers (or bits) one request of k may cover.
func (p *planner) limit(k limitKey) int {
	if n, ok := p.learned[k]; ok {
		return n
	}
	if k.area.bits() {
		return p.maxBits
	}
	return p.maxRegisters
}

// gap is the most unused addresses a request may read through. For bit
// areas a register's worth is 16 bits.
func (p *planner) gap(a area) int {
	if a.bits() {
		return 16 * p.maxGap
	}
	return p.maxGap
}

// plan groups items into requests. It does not modify items.
func (p *planner) plan(items []item) []request {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, compareItems)
	var reqs []request
	for _, it := range sorted {
		if n := len(reqs); n > 0 && p.fits(&reqs[n-1], it) {
			last := &reqs[n-1]
			last.count = max(last.count, it.end()-last.addr)
			last.items = append(last.items, it)
			continue
		}
		reqs = append(reqs, request{unit: it.tag.unit, area: it.tag.area, addr: it.tag.addr, count: it.tag.size, items: []item{it}})
	}
	return reqs
}

// fits reports whether it can join request r (it sorts after r's items).
func (p *planner) fits(r *request, it item) bool {
	t := it.tag
	if t.unit != r.unit || t.area != r.area || p.isolated[t] || p.isolated[r.items[0].tag] {
		return false
	}
	end := r.addr + r.count
	return t.addr-end <= p.gap(t.area) && max(end, it.end())-r.addr <= p.limit(r.key())
}

func compareItems(a, b item) int {
	ta, tb := a.tag, b.tag
	switch {
	case ta.unit != tb.unit:
		return int(ta.unit) - int(tb.unit)
	case ta.area != tb.area:
		return int(ta.area) - int(tb.area)
	}
	return ta.addr - tb.addr
}

// learnLimit remembers that requests of k must not exceed n and drops the
// cached plans so the next poll is re-planned.
func (p *planner) learnLimit(k limitKey, n int) {
	if n < p.limit(k) {
		p.learned[k] = n
		clear(p.cache)
	}
}

// isolate remembers that t must be read on its own: the device refuses a
// request for its address, so merging it would fail its neighbours too.
func (p *planner) isolate(t *tag) {
	if !p.isolated[t] {
		p.isolated[t] = true
		clear(p.cache)
	}
}

// split halves a failed request into two requests at an item boundary.
func (p *planner) split(r request) (request, request) {
	mid := len(r.items) / 2
	return block(r, r.items[:mid]), block(r, r.items[mid:])
}

// block is a request of r's unit and area covering exactly items.
func block(r request, items []item) request {
	b := request{unit: r.unit, area: r.area, addr: items[0].tag.addr, items: items}
	end := 0
	for _, it := range items {
		end = max(end, it.end())
	}
	b.count = end - b.addr
	return b
}
