// Package opcua is the IOTOS OPC UA client driver: poll-mode points are read
// in one Read request per poll group, subscribe-mode points become monitored
// items whose changes are pushed to the host, writes convert the value to the
// node's own data type, and Browse lists the server's address space.
//
// The driver follows the lifecycle of package driver: Init parses every node
// ID once, Connect opens a session (security mode None, anonymous or user
// name) and creates the subscriptions. From then on a watchdog owned by the
// driver checks the session every watchdog_interval and, when it is gone
// (server restart, dropped connection, lost subscription), throws the client
// away and builds a new one with its subscriptions. gopcua's own reconnect is
// turned off: it cannot always restore subscriptions after a server restart,
// and a fresh client is the one recovery path that always works.
package opcua

import (
	"context"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
)

func init() {
	driver.Register("opcua", spec, New)
}

// Interface guards.
var (
	_ driver.Driver    = (*OPCUA)(nil)
	_ driver.Connector = (*OPCUA)(nil)
	_ driver.Writer    = (*OPCUA)(nil)
	_ driver.ReadNower = (*OPCUA)(nil)
)

// OPCUA is the driver for one OPC UA server endpoint. The engine calls it
// from one goroutine; the watchdog and the subscription consumer run aside,
// so the current session is guarded by mu.
type OPCUA struct {
	host       driver.Host
	devID      string
	cfg        settings
	tags       map[string]*tag // by point ID; fixed after Init
	subscribed []*tag          // subscribe-mode points; the index is the monitored item's client handle
	cache      *valueCache     // last values pushed by the subscriptions
	kicks      chan struct{}   // requests for the watchdog to check the session now

	mu       sync.Mutex
	link     *link // the current session; nil while the watchdog rebuilds it
	watchdog *watchdog
}

// New returns an unconfigured driver; it does no I/O.
func New() driver.Driver { return &OPCUA{} }

// Init validates the device and point configs and parses every node ID.
func (d *OPCUA) Init(host driver.Host, dev driver.Device) error {
	cfg, err := parseDevice(dev.Config)
	if err != nil {
		return driver.Errorf(driver.CodeArgError, "device %s: %s", dev.ID, errMsg(err))
	}
	d.host, d.devID, d.cfg = host, dev.ID, cfg
	d.tags = make(map[string]*tag, len(dev.Points))
	d.subscribed = nil
	for _, p := range dev.Points {
		t, err := compileTag(p)
		if err != nil {
			return driver.Errorf(driver.CodeArgError, "device %s point %s: %s", dev.ID, p.ID, errMsg(err))
		}
		d.tags[p.ID] = t
		if t.subscribe {
			d.subscribed = append(d.subscribed, t)
		}
	}
	d.cache = newValueCache()
	d.kicks = make(chan struct{}, 1)
	return nil
}

// Connect opens the session, creates the subscriptions and starts the
// watchdog that keeps them alive until Close. A first connection that fails
// is returned, so the engine retries it with backoff.
func (d *OPCUA) Connect(ctx context.Context) error {
	if d.watchdog != nil {
		return nil
	}
	l, err := d.open(ctx)
	if err != nil {
		return err
	}
	d.setLink(l)
	d.watchdog = d.startWatchdog()
	return nil
}

// Close stops the watchdog and closes the session. It is safe to call more
// than once.
func (d *OPCUA) Close() error {
	if d.watchdog != nil {
		d.watchdog.stop()
		d.watchdog = nil
	}
	d.setLink(nil)
	return nil
}

// current returns the session in use, or nil while there is none.
func (d *OPCUA) current() *link {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.link
}

// setLink replaces the session, closing the previous one and forgetting the
// values its subscriptions delivered.
func (d *OPCUA) setLink(l *link) {
	d.mu.Lock()
	old := d.link
	d.link = l
	d.mu.Unlock()
	if old != nil {
		old.close(d.cfg.timeout)
		d.cache.clear()
	}
}

// kick asks the watchdog to check the session now, after a request or a
// publish failed. It never blocks: one pending request is enough.
func (d *OPCUA) kick() {
	select {
	case d.kicks <- struct{}{}:
	default:
	}
}
