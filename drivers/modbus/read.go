package modbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// Read reads a poll group with the cached request plan. A link error fails
// the whole read (504, reconnect); a unit that times out has its points
// marked Bad (519) and is skipped for the rest of the poll, so one dead
// unit behind a gateway does not stall the others; only when every request
// timed out does the read fail with 519.
//
// Between two requests it yields (driver.Yield), so a write waits for one
// request rather than for the whole poll. No session is open there, so a
// shared serial line's wire is free and the write takes it like any other
// request; what the poll keeps across the yield (its plan, its samples) is
// local to this call, and a nested ReadNow or Write changes none of it.
func (m *Modbus) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	if m.client == nil && m.link == nil {
		return nil, newLinkError("device "+m.devID, errNotConnected)
	}
	samples := make([]driver.Sample, len(points))
	res := m.resolve(points)
	for _, i := range res.unknown {
		samples[i] = driver.BadSample(points[i].ID, driver.CodeArgError)
	}
	rd := &reader{m: m, ctx: ctx, samples: samples, deadUnits: map[uint8]bool{}}
	reqs := m.planner.cached(res.items)
	for i, r := range reqs {
		if i > 0 {
			// A write goes out right after the previous response, and the
			// pause still comes before this read.
			if err := driver.Yield(ctx); err != nil {
				return nil, err
			}
			if err := m.pause(ctx); err != nil {
				return nil, err
			}
		}
		if _, err := rd.read(r); err != nil {
			return nil, err
		}
	}
	return samples, m.checkTimeouts(rd.timedOut, len(reqs))
}

// checkTimeouts fails a poll in which every request timed out, and asks for
// a reconnect after timeoutsBeforeReconnect such polls in a row.
func (m *Modbus) checkTimeouts(timedOut, requests int) error {
	if requests == 0 || timedOut < requests {
		m.timeouts = 0
		return nil
	}
	m.timeouts++
	return &timeoutError{
		code:      driver.Errorf(driver.CodeTimeout, "device %s %s: no response within %v", m.devID, m.cfg.client.URL, m.cfg.client.Timeout),
		reconnect: m.timeouts >= timeoutsBeforeReconnect,
	}
}

// ReadNow reads one point on demand, outside the poll schedule.
func (m *Modbus) ReadNow(ctx context.Context, p driver.Point) (driver.Sample, error) {
	s, err := m.Read(ctx, []driver.Point{p})
	if err != nil {
		return driver.Sample{}, err
	}
	return s[0], nil
}

// pause waits delay_between_requests, or until ctx ends. A shared serial
// link paces every request itself (session.pace).
func (m *Modbus) pause(ctx context.Context) error {
	if m.cfg.delay <= 0 || m.link != nil {
		return nil
	}
	t := time.NewTimer(m.cfg.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return driver.Errorf(driver.CodeTimeout, "device %s: %v", m.devID, ctx.Err())
	}
}

// reader executes the requests of one poll and fills its samples.
type reader struct {
	m         *Modbus
	ctx       context.Context
	samples   []driver.Sample
	deadUnits map[uint8]bool
	timedOut  int
}

// read executes r. It reports whether every item was read and fails only
// when the link broke or the context ended.
func (rd *reader) read(r request) (bool, error) {
	if err := rd.ctx.Err(); err != nil {
		return false, driver.Errorf(driver.CodeTimeout, "device %s: %v", rd.m.devID, err)
	}
	if rd.deadUnits[r.unit] {
		rd.timedOut++
		rd.fail(r, driver.CodeTimeout)
		return false, nil
	}
	s, err := rd.m.begin(rd.ctx)
	if err != nil {
		return false, err
	}
	regs, bits, err := s.exec(r)
	s.end(err)
	var de *driver.Error
	if errors.As(err, &de) {
		return false, err // the context ended while pacing
	}
	if err == nil {
		rd.fill(r, regs, bits)
		return true, nil
	}
	what := fmt.Sprintf("device %s unit %d %s %d+%d", rd.m.devID, r.unit, r.area, r.addr, r.count)
	switch classify(err) {
	case failLink:
		return false, newLinkError(what, err)
	case failTimeout:
		rd.deadUnits[r.unit] = true
		rd.timedOut++
		rd.fail(r, driver.CodeTimeout)
		return false, nil
	}
	return rd.exception(r, err)
}

// exception handles an exception response. A merged request refused for
// its address range is split in two and retried: if both halves succeed
// the device has a smaller limit, which the planner remembers; a single
// point still refused is isolated so it no longer spoils its neighbours.
func (rd *reader) exception(r request, err error) (bool, error) {
	p := rd.m.planner
	if !splittable(err) {
		rd.fail(r, exceptionCode(err))
		return false, nil
	}
	if len(r.items) == 1 || distinctAddrs(r) == 1 {
		for _, it := range r.items {
			p.isolate(it.tag)
		}
		rd.fail(r, exceptionCode(err))
		return false, nil
	}
	a, b := p.split(r)
	okA, err := rd.read(a)
	if err != nil {
		return false, err
	}
	okB, err := rd.read(b)
	if err != nil || !okA || !okB {
		return false, err
	}
	p.learnLimit(r.key(), max(a.count, b.count))
	return true, nil
}

func distinctAddrs(r request) int {
	n, last := 0, -1
	for _, it := range r.items {
		if it.tag.addr != last {
			n, last = n+1, it.tag.addr
		}
	}
	return n
}

// exec sends one read request.
func (s *session) exec(r request) ([]uint16, []bool, error) {
	if err := s.c.SetUnitId(r.unit); err != nil {
		return nil, nil, err
	}
	addr, n := uint16(r.addr), uint16(r.count)
	switch r.area {
	case areaHolding:
		regs, err := s.readRegisters(addr, n, mb.HOLDING_REGISTER)
		return regs, nil, err
	case areaInput:
		regs, err := s.readRegisters(addr, n, mb.INPUT_REGISTER)
		return regs, nil, err
	case areaCoil:
		bits, err := s.readCoils(addr, n)
		return nil, bits, err
	}
	bits, err := s.readDiscreteInputs(addr, n)
	return nil, bits, err
}

// fill decodes every item of r from the response.
func (rd *reader) fill(r request, regs []uint16, bits []bool) {
	now := time.Now()
	for _, it := range r.items {
		t, off := it.tag, it.tag.addr-r.addr
		s := driver.Sample{Point: t.id, TS: now, Quality: driver.Good}
		var err error
		if r.area.bits() {
			s.Value = boolAs(t.model, bits[off])
		} else {
			s.Value, err = t.decode(regs[off : off+t.size])
		}
		if err != nil {
			s = driver.Sample{Point: t.id, TS: now, Quality: driver.Bad, Code: codeOf(err)}
		}
		rd.samples[it.index] = s
	}
}

func (rd *reader) fail(r request, code int) {
	for _, it := range r.items {
		rd.samples[it.index] = driver.BadSample(it.tag.id, code)
	}
}

// codeOf is the IOTOS code of a per-point error.
func codeOf(err error) int {
	var de *driver.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return driver.CodeTypeNotValid
}
