package modbus

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// A serial line is one shared bus: a port can be opened once, and a second
// request sent before the first one's response has arrived garbles both.
// Every device whose url names the same serial port therefore joins one
// serialLink, which owns the only client of that port and lets one request
// at a time onto the wire. TCP and RTU-over-TCP devices keep their own
// connections.

// links is the process-wide registry of serial links by device path. Its
// mutex is taken before a link's wire, never after.
var links = struct {
	sync.Mutex
	byPath map[string]*serialLink
}{byPath: map[string]*serialLink{}}

// serialLink is one serial port shared by the devices configured on it.
type serialLink struct {
	path    string
	wire    chan struct{}      // a one-slot semaphore: held for each request
	members map[*Modbus]string // device ID of each member (guarded by links)
	pace    atomic.Int64       // the members' longest delay_between_requests

	// Guarded by wire.
	cfg    mb.ClientConfiguration // the serial settings it was opened with
	client *mb.ModbusClient       // nil until opened, and after a link error
	gen    int                    // incremented each time the client is dropped
	last   time.Time              // when the previous request ended
}

// joinLink adds m to the link of its serial port, creating the link when m
// is the first device on it. Serial settings that differ from those of a
// device already on the port are a configuration error naming both.
func joinLink(m *Modbus) (*serialLink, error) {
	links.Lock()
	defer links.Unlock()
	path := m.cfg.client.URL
	l := links.byPath[path]
	if l == nil {
		l = &serialLink{path: path, wire: make(chan struct{}, 1), members: map[*Modbus]string{}, cfg: m.cfg.client}
		links.byPath[path] = l
	}
	for other, id := range l.members {
		if other != m && !sameLine(other.cfg.client, m.cfg.client) {
			return nil, argError("device %s: serial settings of %s (%s) differ from those of device %s (%s) on the same port",
				m.devID, path, lineString(m.cfg.client), id, lineString(other.cfg.client))
		}
	}
	l.members[m] = m.devID
	l.updatePace()
	return l, nil
}

// leave removes m; the last device to leave closes the port. The port is
// closed under the registry lock so a device joining meanwhile cannot open
// it a second time.
func (l *serialLink) leave(m *Modbus) {
	links.Lock()
	defer links.Unlock()
	if _, ok := l.members[m]; !ok {
		return
	}
	delete(l.members, m)
	if len(l.members) > 0 {
		l.updatePace()
		return
	}
	if links.byPath[l.path] == l {
		delete(links.byPath, l.path)
	}
	l.wire <- struct{}{}
	l.drop()
	<-l.wire
}

// sameLine reports whether two configurations drive the line identically.
func sameLine(a, b mb.ClientConfiguration) bool {
	return a.Speed == b.Speed && a.Parity == b.Parity && a.StopBits == b.StopBits && a.DataBits == b.DataBits
}

func lineString(c mb.ClientConfiguration) string {
	parity := map[uint]string{mb.PARITY_NONE: "N", mb.PARITY_EVEN: "E", mb.PARITY_ODD: "O"}[c.Parity]
	u := func(n uint) string { return strconv.FormatUint(uint64(n), 10) }
	return "baud " + u(c.Speed) + " " + u(c.DataBits) + parity + u(c.StopBits)
}

// acquire takes the wire, or fails with 519 when ctx ends first.
func (l *serialLink) acquire(ctx context.Context, devID string) error {
	select {
	case l.wire <- struct{}{}:
		return nil
	case <-ctx.Done():
		return driver.Errorf(driver.CodeTimeout, "device %s waiting for serial port %s: %v", devID, l.path, ctx.Err())
	}
}

func (l *serialLink) release() { <-l.wire }

// open opens the port unless another device already did since the last
// link error, so a broken line is rebuilt once for all its devices. The
// caller holds the wire.
func (l *serialLink) open(devID string) error {
	if l.client != nil {
		return nil
	}
	c, err := mb.NewClient(&l.cfg)
	if err != nil {
		return argError("device %s url: %v", devID, err)
	}
	if err := c.Open(); err != nil {
		return newLinkError("device "+devID+" connect "+l.cfg.URL, err)
	}
	l.client, l.last = c, time.Time{}
	return nil
}

// drop closes the client after a link error (or the last device left). The
// caller holds the wire.
func (l *serialLink) drop() {
	if l.client != nil {
		l.client.Close()
		l.client = nil
		l.gen++
	}
}

// updatePace sets the link's delay to the longest delay_between_requests
// of its devices: the slowest device on the line sets the pace for all. The
// caller holds the registry lock.
func (l *serialLink) updatePace() {
	var d time.Duration
	for m := range l.members {
		d = max(d, m.cfg.delay)
	}
	l.pace.Store(int64(d))
}
