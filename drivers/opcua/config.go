package opcua

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// deviceConfig is a device's config.param.
type deviceConfig struct {
	Endpoint string          `json:"endpoint"`
	Username string          `json:"username"`
	Password string          `json:"password"`
	Timeout  driver.Duration `json:"timeout"`
	Watchdog driver.Duration `json:"watchdog_interval"`
}

// pointConfig is a point's config.param.
type pointConfig struct {
	Node string `json:"node"`
	Mode string `json:"mode"`
}

// Point modes.
const (
	modePoll      = "poll"
	modeSubscribe = "subscribe"
)

// Defaults of the device config, shared by the spec and the decoder so the
// documented default is the applied one.
const (
	defaultTimeout  = 5 * time.Second
	defaultWatchdog = time.Second
)

// spec is the driver's configuration schema; the console renders forms and
// the README's reference table from it.
var spec = driver.Spec{
	Description: "OPC UA client: batched reads, subscriptions (monitored items), typed writes, browsing; security mode None.",
	Device: []driver.Field{
		{Name: "endpoint", Type: driver.FieldString, Required: true,
			Description: "server endpoint, opc.tcp://host:port/path"},
		{Name: "username", Type: driver.FieldString,
			Description: "user name; empty for an anonymous session"},
		{Name: "password", Type: driver.FieldString, Secret: true,
			Description: "password of username"},
		{Name: "timeout", Type: driver.FieldDuration, Default: defaultTimeout.String(),
			Description: "how long to wait for the server to answer a request or to connect"},
		{Name: "watchdog_interval", Type: driver.FieldDuration, Default: defaultWatchdog.String(),
			Description: "how often the session is checked; a dead session is rebuilt with its subscriptions"},
	},
	Point: []driver.Field{
		{Name: "node", Type: driver.FieldString, Required: true,
			Description: "node ID, e.g. ns=2;s=Temperature or ns=0;i=2258"},
		{Name: "mode", Type: driver.FieldEnum, Default: modePoll, Enum: []string{modePoll, modeSubscribe},
			Description: "poll: read on the point's interval; subscribe: a monitored item sampled at the point's interval, values pushed on change"},
	},
}

// settings is a validated device config.
type settings struct {
	endpoint string
	username string
	password string
	timeout  time.Duration
	watchdog time.Duration
}

// parseDevice decodes and validates a device's config.
func parseDevice(raw json.RawMessage) (settings, error) {
	cfg := deviceConfig{Timeout: driver.Duration(defaultTimeout), Watchdog: driver.Duration(defaultWatchdog)}
	if err := driver.DecodeConfig(raw, &cfg); err != nil {
		return settings{}, err
	}
	if !strings.HasPrefix(cfg.Endpoint, "opc.tcp://") || len(cfg.Endpoint) == len("opc.tcp://") {
		return settings{}, argError("endpoint %q: want opc.tcp://host:port/path", cfg.Endpoint)
	}
	if cfg.Password != "" && cfg.Username == "" {
		return settings{}, argError("password given without username")
	}
	if cfg.Timeout <= 0 {
		return settings{}, argError("timeout must be positive")
	}
	if cfg.Watchdog <= 0 {
		return settings{}, argError("watchdog_interval must be positive")
	}
	return settings{
		endpoint: cfg.Endpoint,
		username: cfg.Username,
		password: cfg.Password,
		timeout:  time.Duration(cfg.Timeout),
		watchdog: time.Duration(cfg.Watchdog),
	}, nil
}

// tag is a point compiled at Init: its node ID parsed once, so the hot path
// only builds requests.
type tag struct {
	point     driver.Point
	node      *ua.NodeID
	subscribe bool
}

// compileTag decodes and validates a point's config.
func compileTag(p driver.Point) (*tag, error) {
	var cfg pointConfig
	if err := driver.DecodeConfig(p.Config, &cfg); err != nil {
		return nil, err
	}
	if cfg.Node == "" {
		return nil, argError("node is required")
	}
	node, err := ua.ParseNodeID(cfg.Node)
	if err != nil {
		return nil, argError("node %q: %v", cfg.Node, err)
	}
	switch cfg.Mode {
	case "", modePoll:
	case modeSubscribe:
		if !p.Access.CanRead() {
			return nil, argError("mode subscribe on a write-only point")
		}
	default:
		return nil, argError("mode %q: want poll or subscribe", cfg.Mode)
	}
	return &tag{point: p, node: node, subscribe: cfg.Mode == modeSubscribe}, nil
}

func argError(format string, args ...any) error {
	return driver.Errorf(driver.CodeArgError, format, args...)
}
