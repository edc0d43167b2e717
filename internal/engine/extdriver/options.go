// Package extdriver runs drivers written in any language as child
// processes speaking pkg/wire over stdio, and adapts them to driver.Driver,
// so the engine cannot tell an external driver from a Go one.
//
// The engine only runs programs installed in its drivers dir, chosen by
// name: a device's config may pass arguments and environment values, never
// a path or a command line. Otherwise anyone who can edit a device could
// run code on every gateway.
//
// A child that crashes, hangs past a call's deadline or prints junk on
// stdout is killed and restarted with capped exponential backoff; its
// device is offline meanwhile.
package extdriver

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// Options configure one external driver instance (one device).
type Options struct {
	// DriversDir is the only place programs and Python modules are taken from.
	DriversDir string
	// Ref is the device's driver reference: "python/<module>.<Class>" or
	// "exec/<name>".
	Ref string
	// Python is the interpreter for python/ refs; default "python3".
	Python string
	// SDKDir is where UnpackSDK put the Python SDK; it goes on PYTHONPATH.
	SDKDir string
	// Logger receives the child's log lines; default the host's logger.
	Logger *slog.Logger
	// CallTimeout caps every call into the child (default 10s); a child
	// that misses it is killed and restarted.
	CallTimeout time.Duration
	// MinBackoff and MaxBackoff bound the restart delay (default 500ms, 30s).
	MinBackoff, MaxBackoff time.Duration
}

// Defaults.
const (
	defaultCallTimeout = 10 * time.Second
	defaultMinBackoff  = 500 * time.Millisecond
	defaultMaxBackoff  = 30 * time.Second
	closeGrace         = 5 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Python == "" {
		o.Python = "python3"
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = defaultCallTimeout
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = defaultMinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(defaultMaxBackoff, o.MinBackoff)
	}
	return o
}

// New returns an external driver; like every driver constructor it does no
// I/O and never fails: a bad Ref is reported by Init (code 105).
func New(opts Options) driver.Driver {
	return &Driver{opts: opts.withDefaults()}
}

// identifier is what module, class, program and env names must match.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
