// Package mqtt is the IOTOS MQTT driver: it subscribes to the topics of a
// device's points, extracts each point's value from the payload with a small
// JSONPath, pushes values as messages arrive, and publishes writes.
//
// MQTT 3.1.1 runs on eclipse/paho.mqtt.golang and MQTT 5 on
// eclipse/paho.golang, chosen by the device's version. The driver follows
// the lifecycle of package driver: Init compiles every point's topic, path
// and write template; Connect makes the first connection and subscription
// (the engine retries it with backoff); from then on the client reconnects
// and resubscribes by itself, marking the device offline and online. Read
// answers from the last value each point received, so polled points work
// as well as pushed ones.
package mqtt

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
)

func init() {
	driver.Register("mqtt", spec, New)
}

// Interface guards.
var (
	_ driver.Driver    = (*MQTT)(nil)
	_ driver.Connector = (*MQTT)(nil)
	_ driver.Writer    = (*MQTT)(nil)
)

// MQTT is the driver for one device on one broker connection. The engine
// calls it from one goroutine, but messages arrive on the client library's
// goroutines, so the last values and the link state are guarded by mu.
type MQTT struct {
	host     driver.Host
	devID    string
	cfg      settings
	tls      *tls.Config
	bindings map[string]*binding // by point ID
	routes   routes
	sess     session

	mu     sync.Mutex
	last   map[string]driver.Sample // by point ID: the last value received
	online bool
	closed bool
}

// New returns an unconfigured driver; it does no I/O.
func New() driver.Driver { return &MQTT{} }

// Init validates the device and point configs, compiles every point and
// loads the TLS files.
func (m *MQTT) Init(host driver.Host, dev driver.Device) error {
	cfg, err := parseDevice(dev)
	if err != nil {
		return withDevice(dev.ID, err)
	}
	m.host, m.devID, m.cfg = host, dev.ID, cfg
	if m.tls, err = loadTLS(cfg); err != nil {
		return withDevice(dev.ID, err)
	}
	m.bindings = make(map[string]*binding, len(dev.Points))
	list := make([]*binding, 0, len(dev.Points))
	for _, p := range dev.Points {
		b, err := compileBinding(p)
		if err != nil {
			return driver.Errorf(driver.CodeArgError, "device %s point %s: %s", dev.ID, p.ID, errMsg(err))
		}
		m.bindings[p.ID] = b
		list = append(list, b)
	}
	m.routes = newRoutes(list)
	m.last = map[string]driver.Sample{}
	return nil
}

// Connect makes the first connection to the broker and subscribes to every
// point's topic. A previous session is closed first. After Connect the
// session reconnects on its own; Connect is only called again by the engine
// after an error from it.
func (m *MQTT) Connect(ctx context.Context) error {
	m.closeSession()
	s := newSession(sessionConfig{
		settings: m.cfg,
		tls:      m.tls,
		filters:  m.routes.filters,
		events:   events{message: m.receive, up: m.up, down: m.down, log: m.logger()},
	})
	if err := s.connect(ctx); err != nil {
		return driver.Errorf(codeOf(err), "device %s: %s", m.devID, errMsg(err))
	}
	m.sess = s
	return nil
}

// Close disconnects. It is safe to call more than once; no host callback
// happens after it returns.
func (m *MQTT) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.closeSession()
	return nil
}

// closeSession ends the current session. A library does not report a loss
// it was asked for, so the link is marked down here.
func (m *MQTT) closeSession() {
	if m.sess == nil {
		return
	}
	m.sess.close()
	m.sess = nil
	m.mu.Lock()
	m.online = false
	m.mu.Unlock()
}

// up and down track the link the session reports, for the device's
// online state and the quality of remembered values.
func (m *MQTT) up() { m.setOnline(true) }

func (m *MQTT) down(err error) {
	if err == nil {
		err = errConnectionLost
	}
	m.logger().Warn("mqtt: reconnecting", "url", m.cfg.url.Redacted(), "err", err)
	m.setOnline(false)
}

func (m *MQTT) setOnline(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.online = on
	m.host.Online(on)
}

func (m *MQTT) logger() *slog.Logger {
	if m.host != nil {
		if l := m.host.Logger(); l != nil {
			return l
		}
	}
	return slog.New(slog.DiscardHandler)
}

// withDevice prefixes an Init error with the device's identity.
func withDevice(devID string, err error) error {
	return driver.Errorf(codeOf(err), "device %s: %s", devID, errMsg(err))
}

// errMsg is an error's message without the "code N:" prefix of a
// *driver.Error, for re-wrapping with more identity.
func errMsg(err error) string {
	if e, ok := err.(*driver.Error); ok {
		return e.Msg
	}
	return err.Error()
}

// codeOf is the code an error carries, 504 when it carries none.
func codeOf(err error) int {
	if e, ok := err.(*driver.Error); ok {
		return e.Code
	}
	return driver.CodeNetError
}
