package app

import (
	"context"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

func TestClampLimit(t *testing.T) {
	for in, want := range map[int]int{-5: DefaultHistoryLimit, 0: DefaultHistoryLimit, 1: 1, 500: 500, 1 << 40: MaxHistoryLimit} {
		if got := ClampLimit(in); got != want {
			t.Errorf("ClampLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestDownsample(t *testing.T) {
	s := func(ts int64, v any, q driver.Quality) model.Sample {
		return model.Sample{ID: "x", TS: ts, Value: v, Quality: q}
	}
	in := []model.Sample{
		s(0, int64(1), driver.Good), s(30, int64(5), driver.Good), s(59, nil, driver.Bad),
		s(60, int64(2), driver.Good), s(150, int64(9), driver.Good),
	}
	cases := []struct {
		agg  string
		want []model.Sample
	}{
		{AggAvg, []model.Sample{s(0, 3.0, driver.Good), s(60, 2.0, driver.Good), s(120, 9.0, driver.Good)}},
		{AggMin, []model.Sample{s(0, int64(1), driver.Good), s(60, int64(2), driver.Good), s(120, int64(9), driver.Good)}},
		{AggMax, []model.Sample{s(0, int64(5), driver.Good), s(60, int64(2), driver.Good), s(120, int64(9), driver.Good)}},
		{AggLast, []model.Sample{s(0, nil, driver.Bad), s(60, int64(2), driver.Good), s(120, int64(9), driver.Good)}},
	}
	for _, c := range cases {
		got := downsample(in, 60, c.agg, driver.Int)
		if len(got) != len(c.want) {
			t.Fatalf("%s: %+v", c.agg, got)
		}
		for i := range got {
			if got[i].TS != c.want[i].TS || got[i].Value != c.want[i].Value || got[i].Quality != c.want[i].Quality {
				t.Errorf("%s bucket %d: %+v, want %+v", c.agg, i, got[i], c.want[i])
			}
		}
	}
}

func TestHistoryQueryClampAndDownsample(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	var ws []bus.WireSample
	for i := 0; i < 120; i++ {
		ws = append(ws, bus.WireSample{P: rel(f.temp), V: float64(i), T: int64(i) * 1000})
	}
	if _, err := a.Batch(ctx, f.gw, bus.Batch{Epoch: "h", Seq: 1, Samples: ws}); err != nil {
		t.Fatal(err)
	}
	res, err := a.History(ctx, HistoryQuery{ID: f.temp.FullID(), Limit: 10})
	if err != nil || len(res.Samples) != 10 || !res.Truncated || res.Samples[9].TS != 9000 {
		t.Fatalf("limited: %d truncated=%v %v", len(res.Samples), res.Truncated, err)
	}
	res, err = a.History(ctx, HistoryQuery{ID: f.temp.FullID(), Limit: -1})
	if err != nil || len(res.Samples) != 120 || res.Truncated {
		t.Fatalf("negative limit clamps to default: %d %v", len(res.Samples), err)
	}
	res, err = a.History(ctx, HistoryQuery{ID: f.temp.FullID(), Step: "60s", Agg: "avg"})
	if err != nil || len(res.Samples) != 2 || res.Samples[0].Value != 29.5 || res.Samples[1].TS != 60000 {
		t.Fatalf("downsampled: %+v %v", res.Samples, err)
	}
	if _, err := a.History(ctx, HistoryQuery{ID: f.temp.FullID(), Step: "fast"}); codes.Of(err) != codes.ArgError {
		t.Fatalf("bad step: %v", err)
	}
	if _, err := a.History(ctx, HistoryQuery{ID: f.temp.FullID(), Step: "1m", Agg: "median"}); codes.Of(err) != codes.ArgError {
		t.Fatalf("bad agg: %v", err)
	}
}
