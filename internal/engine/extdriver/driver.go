package extdriver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

// Driver is driver.Driver over a child process.
type Driver struct {
	opts   Options
	host   driver.Host
	dev    driver.Device
	wdev   wire.Device
	prog   program
	log    *slog.Logger
	points map[string]driver.Point // by ID
	byName map[string]string       // point name → ID

	mu         sync.Mutex
	cur        *child // nil while the child is down
	closed     bool
	supervised bool
	ctx        context.Context // ends at Close: stops restarts
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

var (
	_ driver.Driver      = (*Driver)(nil)
	_ driver.Connector   = (*Driver)(nil)
	_ driver.Writer      = (*Driver)(nil)
	_ driver.ReadNower   = (*Driver)(nil)
	_ driver.Broadcaster = (*Driver)(nil)
	_ driver.Subscriber  = (*Driver)(nil)
)

// Init resolves the program (names are checked, nothing is started) and
// keeps the device for the child's init call.
func (d *Driver) Init(host driver.Host, dev driver.Device) error {
	prog, err := resolve(d.opts, dev.Config)
	if err != nil {
		return fmt.Errorf("device %s: %w", dev.ID, err)
	}
	d.host, d.dev, d.prog = host, dev, prog
	d.wdev = wire.FromDevice(dev)
	d.wdev.Config = childConfig(dev.Config)
	d.log = d.opts.Logger
	if d.log == nil {
		d.log = host.Logger()
	}
	d.log = d.log.With("driver", d.opts.Ref)
	d.points = make(map[string]driver.Point, len(dev.Points))
	d.byName = make(map[string]string, len(dev.Points))
	for _, p := range dev.Points {
		d.points[p.ID] = p
		if p.Name != "" {
			d.byName[p.Name] = p.ID
		}
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return nil
}

// Connect starts the child and initialises it. Later crashes are handled
// by the supervisor, which restarts the child with backoff.
func (d *Driver) Connect(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return driver.Errorf(driver.CodeNetError, "device %s: driver closed", d.dev.ID)
	}
	alive, supervised := d.cur != nil, d.supervised
	d.mu.Unlock()
	switch {
	case alive:
		return nil
	case supervised:
		// The supervisor owns restarts; a second child would be orphaned.
		return driver.Errorf(driver.CodeNetError, "device %s: driver process is restarting", d.dev.ID)
	}
	c, err := d.spawn(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		go c.stop(d.closeCall(c))
		return driver.Errorf(driver.CodeNetError, "device %s: driver closed", d.dev.ID)
	}
	d.cur = c
	if !d.supervised {
		d.supervised = true
		d.wg.Add(1)
		go d.supervise(c)
	}
	return nil
}

// spawn starts a child and runs its init and connect calls.
func (d *Driver) spawn(ctx context.Context) (*child, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.CallTimeout)
	defer cancel()
	c, err := startChild(ctx, d.prog, d.opts.DriversDir, d.handle, d.log)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", d.dev.ID, err)
	}
	for _, step := range []struct {
		method string
		params any
	}{{wire.MethodInit, wire.InitParams{Device: d.wdev}}, {wire.MethodConnect, nil}} {
		if err := c.peer.Call(ctx, step.method, step.params, nil); err != nil {
			c.setReason(err)
			c.kill()
			<-c.exited
			return nil, fmt.Errorf("device %s: %s: %w", d.dev.ID, step.method, err)
		}
	}
	return c, nil
}

func (d *Driver) current() (*child, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil {
		return nil, driver.Errorf(driver.CodeNetError, "device %s: driver process is not running", d.dev.ID)
	}
	return d.cur, nil
}

// call makes one call into the child under the per-call deadline. A child
// that misses it is hung: it is killed, and the supervisor restarts it.
func (d *Driver) call(ctx context.Context, method string, params, out any) error {
	c, err := d.current()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d.opts.CallTimeout)
	defer cancel()
	err = c.peer.Call(ctx, method, params, out)
	var we *wire.Error
	if errors.As(err, &we) && we.Code == driver.CodeTimeout && ctx.Err() != nil {
		c.setReason(fmt.Errorf("%s: no reply within the deadline, killed", method))
		c.kill()
	}
	if err != nil {
		return fmt.Errorf("device %s: %s: %w", d.dev.ID, method, err)
	}
	return nil
}

// closeCall is the polite close a stopping child gets.
func (d *Driver) closeCall(c *child) func(context.Context) error {
	return func(ctx context.Context) error { return c.peer.Call(ctx, wire.MethodClose, nil, nil) }
}

// Close stops the supervisor and the child. It is safe to call once the
// child is already gone.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	c := d.cur
	d.cur = nil
	if d.cancel != nil {
		d.cancel()
	}
	d.mu.Unlock()
	if c != nil {
		c.setReason(errors.New("closed"))
		c.stop(d.closeCall(c))
	}
	d.wg.Wait()
	return nil
}

// Read asks the child for the points' values. Values are converted to each
// point's type here, so a driver in a loosely typed language cannot report
// "3.5" for an INT point.
func (d *Driver) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	ids := make([]string, len(points))
	for i, p := range points {
		ids[i] = p.ID
	}
	var out []wire.Sample
	if err := d.call(ctx, wire.MethodRead, wire.ReadParams{Points: ids}, &out); err != nil {
		return nil, err
	}
	return d.samples(out), nil
}

// Write passes a write to the child and returns its envelope unchanged.
func (d *Driver) Write(ctx context.Context, p driver.Point, value any) (driver.Result, error) {
	var res wire.Result
	if err := d.call(ctx, wire.MethodWrite, wire.WriteParams{Point: p.ID, Value: value}, &res); err != nil {
		return driver.Result{}, err
	}
	return wire.ToResult(res), nil
}

// ReadNow reads one point on demand.
func (d *Driver) ReadNow(ctx context.Context, p driver.Point) (driver.Sample, error) {
	var s wire.Sample
	if err := d.call(ctx, wire.MethodReadNow, wire.PointParams{Point: p.ID}, &s); err != nil {
		return driver.Sample{}, err
	}
	if s.Point == "" {
		s.Point = p.ID
	}
	return d.sample(s), nil
}

// Broadcast passes a gateway-wide message to the child.
func (d *Driver) Broadcast(ctx context.Context, m driver.Message) (driver.Result, error) {
	var res wire.Result
	if err := d.call(ctx, wire.MethodBroadcast, wire.BroadcastParams{From: m.From, Type: m.Type, Data: m.Data}, &res); err != nil {
		return driver.Result{}, err
	}
	return wire.ToResult(res), nil
}

// Subscribed forwards a subscribed point's value. It is a notification: a
// child that is down simply misses it, as a disconnected device would.
func (d *Driver) Subscribed(_ context.Context, point string, s driver.Sample) {
	c, err := d.current()
	if err != nil {
		return
	}
	if err := c.peer.Notify(wire.MethodSubscribed, wire.SubscribedParams{Point: point, Sample: wire.FromSample(s)}); err != nil {
		d.log.Debug("subscribed value not delivered", "point", point, "err", err)
	}
}
