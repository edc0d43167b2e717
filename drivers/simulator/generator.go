package simulator

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/iotos/iotos/pkg/driver"
)

// generator produces one point's values. The first read returns the start
// value, every later read advances by the point's rule; a write replaces the
// current value, which the next read returns before the rule goes on from it.
type generator struct {
	typ            driver.Type
	change         string
	min, max, step float64
	values         []any // typed; empty = the rule works on numbers (or "s<n>")
	index          int   // position in values, or the counter of "s<n>"
	cur            any
	fresh          bool // cur has not been returned yet
	// rng and its source live inside the generator: a gateway may simulate
	// a million points, and two small allocations each add up.
	rng rand.Rand
	src rand.PCG
}

// newGenerator resolves a point's config into a generator, so reads only do
// arithmetic.
func newGenerator(p driver.Point, cfg PointConfig, seed uint64) (*generator, error) {
	g := &generator{typ: p.Type, change: cfg.Change, min: 0, max: 100, step: 1, fresh: true}
	if g.change == "" {
		g.change = Ascending
		if p.Access.CanWrite() {
			g.change = Constant
		}
	}
	switch g.change {
	case Ascending, Descending, Random, Constant:
	default:
		return nil, fmt.Errorf("change %q: want ascending, descending, random or constant", g.change)
	}
	setIf(&g.min, cfg.Min)
	setIf(&g.max, cfg.Max)
	setIf(&g.step, cfg.Step)
	if g.min > g.max {
		return nil, fmt.Errorf("min %v is above max %v", g.min, g.max)
	}
	if cfg.Seed != nil {
		seed = uint64(*cfg.Seed)
	}
	g.src.Seed(seed, pointStream(p.ID))
	g.rng = *rand.New(&g.src)
	for i, raw := range cfg.Values {
		v, err := typedJSON(p.Type, raw)
		if err != nil {
			return nil, fmt.Errorf("values[%d]: %w", i, err)
		}
		g.values = append(g.values, v)
	}
	start, err := g.start(p, cfg)
	if err != nil {
		return nil, err
	}
	g.cur = start
	if g.change == Random && len(cfg.Value) == 0 {
		g.cur = g.advance() // a random point starts anywhere, not at min
	}
	return g, nil
}

func setIf(dst *float64, v *float64) {
	if v != nil {
		*dst = *v
	}
}

// pointStream makes points of one device with one seed differ.
func pointStream(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// typedJSON converts a JSON value from the config to the point's type.
func typedJSON(t driver.Type, raw json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return driver.Convert(t, v)
}

// start is the first value: value param, then the point's default, then the
// first of values, then the rule's natural start.
func (g *generator) start(p driver.Point, cfg PointConfig) (any, error) {
	if len(cfg.Value) > 0 && string(cfg.Value) != "null" {
		v, err := typedJSON(p.Type, cfg.Value)
		if err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		return v, nil
	}
	if p.Default != nil && g.change == Constant {
		return driver.Convert(p.Type, p.Default)
	}
	if len(g.values) > 0 {
		if g.change == Descending {
			g.index = len(g.values) - 1
		}
		return g.values[g.index], nil
	}
	switch p.Type {
	case driver.Bool:
		return false, nil
	case driver.String:
		return "s0", nil
	}
	first := g.min
	if g.change == Descending {
		first = g.max
	}
	return g.number(first), nil
}

// next returns the value of one read.
func (g *generator) next() any {
	if g.fresh {
		g.fresh = false
		return g.cur
	}
	if g.change != Constant {
		g.cur = g.advance()
	}
	return g.cur
}

// set makes v (already of the point's type) the current value.
func (g *generator) set(v any) {
	g.cur, g.fresh = v, true
	for i, x := range g.values {
		if x == v {
			g.index = i
		}
	}
}

func (g *generator) advance() any {
	switch {
	case len(g.values) > 0:
		return g.advanceList()
	case g.typ == driver.Bool:
		if g.change == Random {
			return g.rng.IntN(2) == 1
		}
		b, _ := g.cur.(bool)
		return !b
	case g.typ == driver.String:
		g.index = g.step1(g.index, math.MaxInt32)
		return "s" + strconv.Itoa(g.index)
	}
	return g.advanceNumber()
}

func (g *generator) advanceList() any {
	g.index = g.step1(g.index, len(g.values))
	return g.values[g.index]
}

// step1 moves an index by one in the rule's direction, wrapping in [0, n).
func (g *generator) step1(i, n int) int {
	switch g.change {
	case Random:
		return g.rng.IntN(n)
	case Descending:
		return (i - 1 + n) % n
	}
	return (i + 1) % n
}

func (g *generator) advanceNumber() any {
	cur := toFloat(g.cur)
	var v float64
	switch g.change {
	case Random:
		if g.typ == driver.Int {
			lo, hi := math.Ceil(g.min), math.Floor(g.max)
			if hi < lo {
				return g.number(g.min)
			}
			return int64(lo) + g.rng.Int64N(int64(hi-lo)+1)
		}
		v = g.min + g.rng.Float64()*(g.max-g.min)
	case Descending:
		v = cur - g.step
		if v < g.min {
			v = g.max
		}
	default:
		v = cur + g.step
		if v > g.max {
			v = g.min
		}
	}
	return g.number(v)
}

// number types a float as the point's INT or FLOAT value.
func (g *generator) number(f float64) any {
	if g.typ == driver.Int {
		return int64(math.Round(f))
	}
	return f
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
