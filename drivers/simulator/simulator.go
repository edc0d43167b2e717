// Package simulator is a driver for simulated devices: every point produces
// values by a configured rule (ascending, descending, random, constant), and
// writable points keep what is written. It serves demos, tests and
// benchmarks without hardware.
package simulator

import (
	"context"
	"fmt"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

func init() {
	driver.Register("simulator", spec, func() driver.Driver { return &Simulator{} })
}

// Interface guards.
var (
	_ driver.Driver      = (*Simulator)(nil)
	_ driver.Writer      = (*Simulator)(nil)
	_ driver.ReadNower   = (*Simulator)(nil)
	_ driver.Broadcaster = (*Simulator)(nil)
)

// Simulator is one simulated device. The engine calls it from one worker, so
// it holds no locks.
type Simulator struct {
	host    driver.Host
	cfg     DeviceConfig
	points  map[string]*generator
	latency time.Duration
}

// Init decodes the device and point configs strictly and builds a generator
// per point.
func (s *Simulator) Init(host driver.Host, dev driver.Device) error {
	if err := driver.DecodeConfig(dev.Config, &s.cfg); err != nil {
		return fmt.Errorf("device %s: %w", dev.ID, err)
	}
	s.host, s.latency = host, time.Duration(s.cfg.Latency)
	s.points = make(map[string]*generator, len(dev.Points))
	for _, p := range dev.Points {
		var pc PointConfig
		if err := driver.DecodeConfig(p.Config, &pc); err != nil {
			return fmt.Errorf("device %s point %s: %w", dev.ID, p.ID, err)
		}
		g, err := newGenerator(p, pc, uint64(s.cfg.Seed))
		if err != nil {
			return fmt.Errorf("device %s point %s: %w", dev.ID, p.ID, driver.Errorf(driver.CodeArgError, "config: %v", err))
		}
		s.points[p.ID] = g
	}
	return nil
}

// Read returns the next value of every point asked for, stamped now.
func (s *Simulator) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]driver.Sample, 0, len(points))
	for _, p := range points {
		out = append(out, s.sample(p, now))
	}
	return out, nil
}

func (s *Simulator) sample(p driver.Point, now time.Time) driver.Sample {
	g, ok := s.points[p.ID]
	if !ok {
		return driver.Sample{Point: p.ID, TS: now, Quality: driver.Bad, Code: driver.CodeArgError}
	}
	return driver.Sample{Point: p.ID, Value: g.next(), TS: now, Quality: driver.Good}
}

// ReadNow reads one point outside the poll schedule.
func (s *Simulator) ReadNow(ctx context.Context, p driver.Point) (driver.Sample, error) {
	if err := s.wait(ctx); err != nil {
		return driver.Sample{}, err
	}
	return s.sample(p, time.Now()), nil
}

// Write makes value the point's current value; the next read returns it.
func (s *Simulator) Write(ctx context.Context, p driver.Point, value any) (driver.Result, error) {
	if err := s.wait(ctx); err != nil {
		return driver.Result{}, err
	}
	g, ok := s.points[p.ID]
	if !ok {
		return driver.Result{}, driver.Errorf(driver.CodeArgError, "point %s is not simulated", p.ID)
	}
	v, err := driver.Convert(p.Type, value)
	if err != nil {
		return driver.Result{}, fmt.Errorf("point %s: %w", p.ID, err)
	}
	g.set(v)
	return driver.OK(v), nil
}

// Broadcast acknowledges a gateway-wide message, echoing its type and
// sender.
func (s *Simulator) Broadcast(ctx context.Context, m driver.Message) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return driver.Result{}, driver.Errorf(driver.CodeTimeout, "broadcast %q: %v", m.Type, err)
	}
	return driver.OK(map[string]any{"ack": true, "type": m.Type, "from": m.From}), nil
}

// Close releases nothing: a simulated device holds no link.
func (s *Simulator) Close() error { return nil }

// wait applies the configured latency, honouring ctx.
func (s *Simulator) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return driver.Errorf(driver.CodeTimeout, "simulator: %v", err)
	}
	if s.latency <= 0 {
		return nil
	}
	t := time.NewTimer(s.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return driver.Errorf(driver.CodeTimeout, "simulator: %v", ctx.Err())
	}
}
