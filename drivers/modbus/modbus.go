// Package modbus is the IOTOS Modbus master driver: Modbus TCP, RTU over TCP
// and RTU on a serial line, with a planner that reads each poll group in the
// fewest requests and learns the limits of the devices it talks to.
//
// The driver follows the lifecycle of package driver: Init compiles every
// point's config into a decoder and encoder once, Connect opens the link,
// Read executes a cached request plan, and a broken link is reported as a
// 504 wrapping driver.ErrReconnect so the engine rebuilds the connection.
package modbus

import (
	"context"
	"io"
	"log"
	"log/slog"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

func init() {
	driver.Register("modbus", spec, New)
}

// Interface guards.
var (
	_ driver.Driver    = (*Modbus)(nil)
	_ driver.Connector = (*Modbus)(nil)
	_ driver.Writer    = (*Modbus)(nil)
	_ driver.ReadNower = (*Modbus)(nil)
)

// timeoutsBeforeReconnect is how many polls in a row may time out entirely
// before the socket is presumed dead (a peer that vanished without closing
// the connection never produces a link error).
const timeoutsBeforeReconnect = 3

// Modbus is the driver for one Modbus link (one URL; several unit IDs may
// share it). The engine calls it from one goroutine, so it needs no locks of
// its own; a serial port shared with other devices is locked per request by
// its serialLink.
type Modbus struct {
	host    driver.Host
	devID   string
	cfg     settings
	tags    map[string]*tag
	planner *planner
	client  *mb.ModbusClient // the device's own connection (TCP, RTU over TCP)
	link    *serialLink      // the shared serial port (rtu://), instead of client

	timeouts int // consecutive polls in which every request timed out

	lastResolved *resolved // the last point list Read compiled (resolve.go)
}

// New returns an unconfigured driver; it does no I/O.
func New() driver.Driver { return &Modbus{} }

// Init validates the device and point configs and compiles every point.
func (m *Modbus) Init(host driver.Host, dev driver.Device) error {
	cfg, err := parseDevice(dev.Config)
	if err != nil {
		return err
	}
	m.host, m.devID, m.cfg = host, dev.ID, cfg
	m.cfg.client.Logger = libraryLogger(host)
	m.tags = make(map[string]*tag, len(dev.Points))
	m.lastResolved = nil // made from the tags being replaced
	for _, p := range dev.Points {
		t, err := compileTag(p, cfg.unitID)
		if err != nil {
			return driver.Errorf(driver.CodeArgError, "device %s point %s: %v", dev.ID, p.ID, errMsg(err))
		}
		if lim := m.requestLimit(t.area); t.size > lim {
			return argError("device %s point %s: needs %d registers but max_registers is %d", dev.ID, p.ID, t.size, lim)
		}
		m.tags[p.ID] = t
	}
	m.planner = newPlanner(cfg.maxRegisters, cfg.maxBits, cfg.maxGap)
	if _, err := mb.NewClient(&m.cfg.client); err != nil {
		return argError("device %s url: %v", dev.ID, err)
	}
	return m.joinSerial()
}

// joinSerial joins the shared link of the device's serial port, leaving
// the link of a previous configuration first. TCP devices join nothing.
func (m *Modbus) joinSerial() error {
	if m.link != nil {
		m.link.leave(m)
		m.link = nil
	}
	if !strings.HasPrefix(m.cfg.client.URL, "rtu://") {
		return nil
	}
	l, err := joinLink(m)
	if err != nil {
		return err
	}
	m.link = l
	return nil
}

func (m *Modbus) requestLimit(a area) int {
	if a.bits() {
		return m.cfg.maxBits
	}
	return m.cfg.maxRegisters
}

// Connect opens the link, replacing a previous one. The library's dial does
// not take a context, so it runs aside and is abandoned (and closed once it
// completes) when ctx ends first.
func (m *Modbus) Connect(ctx context.Context) error {
	m.closeClient()
	if strings.HasPrefix(m.cfg.client.URL, "rtu://") {
		return m.connectSerial(ctx)
	}
	c, err := mb.NewClient(&m.cfg.client)
	if err != nil {
		return argError("device %s url: %v", m.devID, err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Open() }()
	select {
	case err := <-done:
		if err != nil {
			return newLinkError("device "+m.devID+" connect "+m.cfg.client.URL, err)
		}
	case <-ctx.Done():
		go func() {
			if <-done == nil {
				c.Close()
			}
		}()
		return driver.Errorf(driver.CodeTimeout, "device %s connect %s: %v", m.devID, m.cfg.client.URL, ctx.Err())
	}
	m.client, m.timeouts = c, 0
	return nil
}

// connectSerial opens the shared serial port unless another device on it
// already did. Serial opens do not block on the network, so it runs inline
// while holding the wire.
func (m *Modbus) connectSerial(ctx context.Context) error {
	if m.link == nil {
		if err := m.joinSerial(); err != nil {
			return err
		}
	}
	if err := m.link.acquire(ctx, m.devID); err != nil {
		return err
	}
	defer m.link.release()
	m.timeouts = 0
	return m.link.open(m.devID)
}

// Close releases the link; the last device on a shared serial port closes
// it. It is safe to call more than once.
func (m *Modbus) Close() error {
	m.closeClient()
	if m.link != nil {
		m.link.leave(m)
		m.link = nil
	}
	return nil
}

func (m *Modbus) closeClient() {
	if m.client != nil {
		m.client.Close()
		m.client = nil
	}
}

// libraryLogger routes the library's log lines (it logs to stdout by
// default) into the device's logger at debug level.
func libraryLogger(host driver.Host) *log.Logger {
	if host != nil {
		if l := host.Logger(); l != nil {
			return slog.NewLogLogger(l.Handler(), slog.LevelDebug)
		}
	}
	return log.New(io.Discard, "", 0)
}

// errMsg is an error's message without the "code N:" prefix of a
// *driver.Error, for re-wrapping with more identity.
func errMsg(err error) string {
	if e, ok := err.(*driver.Error); ok {
		return e.Msg
	}
	return err.Error()
}
