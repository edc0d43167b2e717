package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// History limits: a request's limit is clamped, never refused.
const (
	DefaultHistoryLimit = 10000
	MaxHistoryLimit     = 100000
)

// HistoryQuery is one point's history request. Step, when given, is a Go
// duration ("60s") or a number of seconds; Agg is avg (default), min, max
// or last.
type HistoryQuery struct {
	ID       string
	From, To int64
	Limit    int
	Step     string
	Agg      string
}

// HistoryResult is stored samples, ascending by (ts, seq), or one sample per
// step bucket (ts = bucket start) when downsampled.
type HistoryResult struct {
	ID        string         `json:"id"`
	Samples   []model.Sample `json:"samples"`
	Truncated bool           `json:"truncated"`
	StepMS    int64          `json:"step_ms,omitempty"`
	Agg       string         `json:"agg,omitempty"`
}

// ClampLimit maps a requested limit into [1, MaxHistoryLimit], 0 meaning
// the default.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultHistoryLimit
	case n > MaxHistoryLimit:
		return MaxHistoryLimit
	}
	return n
}

// History returns a point's stored samples, downsampled when q.Step is set.
func (a *App) History(ctx context.Context, q HistoryQuery) (HistoryResult, error) {
	p, err := a.lookupPoint(ctx, q.ID)
	if err != nil {
		return HistoryResult{}, err
	}
	step, agg, err := parseDownsample(q.Step, q.Agg)
	if err != nil {
		return HistoryResult{}, err
	}
	if q.To != 0 && q.To < q.From {
		return HistoryResult{}, codes.New(codes.ArgError, "history: to %d is before from %d", q.To, q.From)
	}
	limit := ClampLimit(q.Limit)
	sq := store.HistoryQuery{ID: q.ID, From: q.From, To: q.To, Limit: limit}
	if step > 0 {
		// Buckets aggregate raw samples: read as many as allowed, then cut
		// the buckets to the requested limit.
		sq.Limit = MaxHistoryLimit
	}
	samples, truncated, err := a.store.QueryHistory(ctx, sq)
	if err != nil {
		return HistoryResult{}, err
	}
	res := HistoryResult{ID: q.ID, Samples: samples, Truncated: truncated}
	if step > 0 {
		res.Samples = downsample(samples, step.Milliseconds(), agg, p.Type)
		res.StepMS, res.Agg = step.Milliseconds(), agg
		if len(res.Samples) > limit {
			res.Samples, res.Truncated = res.Samples[:limit], true
		}
	}
	if res.Samples == nil {
		res.Samples = []model.Sample{}
	}
	return res, nil
}

// Aggregations.
const (
	AggAvg  = "avg"
	AggMin  = "min"
	AggMax  = "max"
	AggLast = "last"
)

func parseDownsample(stepText, agg string) (time.Duration, string, error) {
	if stepText == "" {
		if agg != "" {
			return 0, "", codes.New(codes.ArgError, "history: agg needs a step")
		}
		return 0, "", nil
	}
	step, err := parseStep(stepText)
	if err != nil {
		return 0, "", err
	}
	if agg == "" {
		agg = AggAvg
	}
	if agg != AggAvg && agg != AggMin && agg != AggMax && agg != AggLast {
		return 0, "", codes.New(codes.ArgError, "history: agg %q is not avg, min, max or last", agg)
	}
	return step, agg, nil
}

func parseStep(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		n, nerr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if nerr != nil {
			return 0, codes.New(codes.ArgError, "history: step %q is not a duration such as 60s", s)
		}
		d = time.Duration(n) * time.Second
	}
	if d < time.Millisecond {
		return 0, codes.New(codes.ArgError, "history: step %q must be at least 1ms", s)
	}
	return d.Truncate(time.Millisecond), nil
}

// downsample turns ascending samples into one sample per step bucket. avg,
// min and max use good numeric samples (BOOL as 0/1; STRING has no numbers,
// so only last applies); last takes the last sample of the bucket whatever
// its quality. An INT average is a FLOAT.
func downsample(samples []model.Sample, stepMS int64, agg string, typ driver.Type) []model.Sample {
	var out []model.Sample
	var cur *bucket
	for _, s := range samples {
		start := floorDiv(s.TS, stepMS) * stepMS
		if cur == nil || cur.start != start {
			if cur != nil {
				out = cur.appendTo(out, agg, typ)
			}
			cur = &bucket{start: start, id: s.ID}
		}
		cur.add(s)
	}
	if cur != nil {
		out = cur.appendTo(out, agg, typ)
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

type bucket struct {
	start         int64
	id            string
	last          model.Sample
	n             int
	sum, min, max float64
}

func (b *bucket) add(s model.Sample) {
	b.last = s
	f, ok := numeric(s)
	if !ok {
		return
	}
	if b.n == 0 || f < b.min {
		b.min = f
	}
	if b.n == 0 || f > b.max {
		b.max = f
	}
	b.sum += f
	b.n++
}

func (b *bucket) appendTo(out []model.Sample, agg string, typ driver.Type) []model.Sample {
	s := model.Sample{ID: b.id, TS: b.start, Quality: driver.Good}
	switch {
	case agg == AggLast:
		s.Value, s.Quality, s.Code = b.last.Value, b.last.Quality, b.last.Code
	case b.n == 0:
		return out // nothing numeric and good to aggregate
	case agg == AggAvg:
		s.Value = b.sum / float64(b.n)
	case agg == AggMin:
		s.Value = typed(b.min, typ)
	case agg == AggMax:
		s.Value = typed(b.max, typ)
	}
	return append(out, s)
}

// typed gives min and max back in the point's own type.
func typed(f float64, typ driver.Type) any {
	switch typ {
	case driver.Int:
		return int64(f)
	case driver.Bool:
		return f != 0
	}
	return f
}

func numeric(s model.Sample) (float64, bool) {
	if s.Quality != "" && s.Quality != driver.Good {
		return 0, false
	}
	switch v := s.Value.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
