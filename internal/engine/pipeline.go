package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// point is one enabled point with its compiled transform and what was last
// reported for it. drv points into the device's driver view rather than
// copying it, and the table's model.Point is not kept: a gateway may hold a
// million points.
type point struct {
	drv      *driver.Point
	expr     *model.Expr
	deadband float64
	key      string   // "dev.pt" on the bus, built once rather than per sample
	mem      *memSlot // the point's slot in the engine's memory

	// Report state, guarded by device.pipe. prevNS and prevValue are the
	// source time and value of the good sample reported before last.
	reported  bool
	last      driver.Sample
	prevNS    int64
	prevValue any
}

// init sets the point up from its table entry mp and driver view dp.
func (p *point) init(dev string, mp *model.Point, dp *driver.Point) error {
	p.drv, p.deadband, p.key = dp, mp.Deadband, dev+"."+dp.ID
	x, err := model.CompileExpr(mp.Expr)
	if err != nil {
		return fmt.Errorf("device %s point %s: %w", dev, dp.ID, err)
	}
	p.expr = x
	return nil
}

// checks is the point as the model's write and read checks take it: they
// look at its ID, type, access, range and pattern, which the driver view
// carries unchanged from the table.
func (p *point) checks() model.Point {
	dp := p.drv
	return model.Point{ID: dp.ID, Name: dp.Name, Type: dp.Type, Access: dp.Access, Unit: dp.Unit,
		Min: dp.Min, Max: dp.Max, Pattern: dp.Pattern}
}

// transform applies the point's expr and type to a raw sample. A transform
// failure is a bad sample with 517, a value that does not convert 516.
func (p *point) transform(s driver.Sample) driver.Sample {
	s.Point = p.drv.ID
	if s.TS.IsZero() {
		s.TS = time.Now()
	}
	if s.Quality == "" {
		s.Quality = driver.Good
	}
	if s.Quality == driver.Bad {
		s.Value = nil
		if s.Code == 0 {
			s.Code = int(codes.NetError)
		}
		return s
	}
	v, err := p.expr.Eval(s.Value)
	if err != nil {
		return bad(s, codes.RuleNotRecognized)
	}
	if v, err = driver.Convert(p.drv.Type, v); err != nil {
		return bad(s, codes.TypeNotValid)
	}
	s.Value, s.Code = v, 0
	return s
}

func bad(s driver.Sample, c codes.Code) driver.Sample {
	s.Value, s.Quality, s.Code = nil, driver.Bad, int(c)
	return s
}

// changed reports whether s must be reported: the first sample, a quality or
// code change, or a value change beyond the deadband (numbers) or any change
// (bool, string). After a start or reconnect (forgetReported) every sample
// is reported once, except an exact repeat of the last one reported — the
// same value, quality and source time, as a driver answering a poll from a
// value its subscription already pushed gives: the platform has it.
func (p *point) changed(s driver.Sample) bool {
	if p.stale(s) {
		return false
	}
	if !p.reported {
		return !s.TS.Equal(p.last.TS) || s.Quality != p.last.Quality || s.Code != p.last.Code || s.Value != p.last.Value
	}
	if s.Quality != p.last.Quality || s.Code != p.last.Code {
		return true
	}
	switch v := s.Value.(type) {
	case int64:
		old, _ := p.last.Value.(int64)
		return beyond(float64(v)-float64(old), p.deadband)
	case float64:
		old, _ := p.last.Value.(float64)
		return beyond(v-old, p.deadband)
	}
	return s.Value != p.last.Value
}

// stale reports whether s repeats the good sample reported before the last
// one: a copy that lost a race with a newer sample, as when a driver answers
// a poll with the value its subscription pushed and the subscription pushes
// the next value before the poll's samples are processed. The platform has
// it already. Only an exact repeat is stale, so a clock stepping back never
// drops a new sample.
func (p *point) stale(s driver.Sample) bool {
	return s.Quality == driver.Good && p.prevValue != nil && s.TS.UnixNano() == p.prevNS && s.Value == p.prevValue
}

// remember records s as the last reported sample.
func (p *point) remember(s driver.Sample) {
	if p.reported && p.last.Quality == driver.Good {
		p.prevNS, p.prevValue = p.last.TS.UnixNano(), p.last.Value
	} else {
		p.prevValue = nil
	}
	p.reported, p.last = true, s
}

func beyond(delta, deadband float64) bool {
	if deadband <= 0 {
		return delta != 0
	}
	return math.Abs(delta) > deadband
}

// process runs samples of this device through the pipeline (see report)
// and returns them transformed.
func (d *device) process(in []driver.Sample) []driver.Sample {
	out := make([]driver.Sample, 0, len(in))
	d.pipeline(in, nil, &out)
	return out
}

// report is process for callers that do not need the transformed samples
// (polls, pushes): it saves building a copy of every sample.
func (d *device) report(in []driver.Sample) { d.pipeline(in, nil, nil) }

// pipeline runs samples through transform, last-value memory and
// report-on-change, then hands the reported ones to the sink and
// subscribers; the transformed samples are appended to out when it is not
// nil. hint, when given, is the points in the order the samples are
// expected (a poll group's), so a sample is matched to its point without a
// map lookup; a sample out of that order is looked up. It is safe from any
// goroutine (drivers push through the Host).
func (d *device) pipeline(in []driver.Sample, hint []*point, out *[]driver.Sample) {
	wire := getWire(len(in))
	d.pipe.Lock()
	for i, raw := range in {
		var p *point
		if i < len(hint) && hint[i] != nil && hint[i].drv.ID == raw.Point {
			p = hint[i]
		} else {
			p = d.point(raw.Point)
		}
		if p == nil {
			d.log.Debug("sample for an unknown point", "point", raw.Point)
			continue
		}
		s := p.transform(raw)
		if out != nil {
			*out = append(*out, s)
		}
		d.e.memory.store(p.mem, s)
		if !p.changed(s) {
			continue
		}
		p.remember(s)
		*wire = append(*wire, toWire(p.key, s))
	}
	d.pipe.Unlock()
	if len(*wire) > 0 {
		d.e.opts.Sink.Add(*wire)
		d.e.publishToSubscribers(*wire)
	}
	putWire(wire)
}

// forgetReported makes the next sample of every point reported, whatever
// its value: after a start or reconnect the platform must hear the device.
func (d *device) forgetReported() {
	d.pipe.Lock()
	defer d.pipe.Unlock()
	for i := range d.pts {
		d.pts[i].reported = false
	}
}

func toWire(key string, s driver.Sample) bus.WireSample {
	w := bus.WireSample{P: key, V: s.Value, T: s.TS.UnixMilli(), C: s.Code}
	if s.Quality != driver.Good {
		w.Q = s.Quality
	}
	return w
}
