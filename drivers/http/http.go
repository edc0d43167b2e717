// Package http is the IOTOS HTTP driver: it polls URLs (any method,
// headers, basic or bearer auth), extracts each point's value from the JSON
// response with a small JSONPath, and writes points through request
// templates.
//
// The driver follows the lifecycle of package driver: Init validates the
// device and every point and compiles their URLs, paths and write bodies;
// there is no link to hold, so there is no Connect. Read sends one request
// per distinct URL among the points it is given, shared by all of them, so
// a poll group of twenty values from one endpoint costs one request.
package http

import (
	"net/http"

	"github.com/iotos/iotos/pkg/driver"
)

func init() {
	driver.Register("http", spec, New)
}

// Interface guards.
var (
	_ driver.Driver    = (*HTTP)(nil)
	_ driver.Writer    = (*HTTP)(nil)
	_ driver.ReadNower = (*HTTP)(nil)
)

// HTTP is the driver for one device: one base URL and its settings. The
// engine never calls it concurrently; Read runs its own requests in
// parallel, which only read the compiled configuration.
type HTTP struct {
	host     driver.Host
	devID    string
	cfg      settings
	client   *http.Client
	bindings map[string]*binding // by point ID
}

// New returns an unconfigured driver; it does no I/O.
func New() driver.Driver { return &HTTP{} }

// Init validates the device and point configs and compiles every point.
func (d *HTTP) Init(host driver.Host, dev driver.Device) error {
	cfg, err := parseDevice(dev.Config)
	if err != nil {
		return driver.Errorf(driver.CodeArgError, "device %s: %s", dev.ID, errMsg(err))
	}
	d.host, d.devID, d.cfg = host, dev.ID, cfg
	d.bindings = make(map[string]*binding, len(dev.Points))
	for _, p := range dev.Points {
		b, err := compileBinding(p, cfg)
		if err != nil {
			return driver.Errorf(driver.CodeArgError, "device %s point %s: %s", dev.ID, p.ID, errMsg(err))
		}
		d.bindings[p.ID] = b
	}
	d.client = newClient(cfg)
	return nil
}

// Close drops the idle connections, whose reader goroutines would
// otherwise outlive the device.
func (d *HTTP) Close() error {
	if d.client != nil {
		d.client.CloseIdleConnections()
	}
	return nil
}

// errMsg is an error's message without the "code N:" prefix of a
// driver.Error, so a wrapped message does not repeat the code.
func errMsg(err error) string {
	if e, ok := err.(*driver.Error); ok {
		return e.Msg
	}
	return err.Error()
}
