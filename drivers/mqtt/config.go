package mqtt

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// Defaults of the device config, shared by the spec and the decoder so the
// documented default is the applied one.
const (
	defaultVersion      = 3
	defaultQoS          = 0
	defaultKeepAlive    = 30 * time.Second
	defaultReconnectMax = 30 * time.Second
	defaultPortPlain    = "1883"
	defaultPortTLS      = "8883"
	// valuePlaceholder is replaced by the written value in write_payload.
	valuePlaceholder = "{{value}}"
)

// deviceConfig is a device's config.param.
type deviceConfig struct {
	URL          string          `json:"url"`
	ClientID     string          `json:"client_id"`
	Username     string          `json:"username"`
	Password     string          `json:"password"`
	CAFile       string          `json:"ca_file"`
	CertFile     string          `json:"cert_file"`
	KeyFile      string          `json:"key_file"`
	Version      *int            `json:"version"`
	QoS          *int            `json:"qos"`
	KeepAlive    driver.Duration `json:"keepalive"`
	ReconnectMax driver.Duration `json:"reconnect_max"`
}

// pointConfig is a point's config.param.
type pointConfig struct {
	Topic        string `json:"topic"`
	Path         string `json:"path"`
	WriteTopic   string `json:"write_topic"`
	WritePayload string `json:"write_payload"`
}

// spec is the driver's configuration schema; the console renders forms and
// the README's reference table from it.
var spec = driver.Spec{
	Description: "MQTT 3.1.1 and 5 client: subscribes to topics, extracts values from JSON payloads, publishes writes.",
	Device: []driver.Field{
		{Name: "url", Type: driver.FieldString, Required: true,
			Description: "broker address: mqtt://host:port, or mqtts://host:port for TLS (default ports 1883 and 8883)"},
		{Name: "client_id", Type: driver.FieldString,
			Description: "MQTT client identifier; default iotos-<gateway prefix><device ID>, unique per device"},
		{Name: "username", Type: driver.FieldString, Description: "user name for broker authentication"},
		{Name: "password", Type: driver.FieldString, Secret: true, Description: "password for broker authentication"},
		{Name: "ca_file", Type: driver.FieldString,
			Description: "PEM file of the CA that signed the broker's certificate (mqtts); default the system roots"},
		{Name: "cert_file", Type: driver.FieldString, Description: "PEM client certificate for mutual TLS (with key_file)"},
		{Name: "key_file", Type: driver.FieldString, Description: "PEM private key of cert_file"},
		{Name: "version", Type: driver.FieldEnum, Default: defaultVersion, Enum: []string{"3", "5"},
			Description: "protocol version: 3 (MQTT 3.1.1) or 5 (MQTT 5)"},
		{Name: "qos", Type: driver.FieldInt, Default: defaultQoS,
			Description: "quality of service of subscriptions and writes: 0, 1 or 2"},
		{Name: "keepalive", Type: driver.FieldDuration, Default: defaultKeepAlive.String(),
			Description: "keep-alive interval; a silent broker is detected after about 1.5 of them"},
		{Name: "reconnect_max", Type: driver.FieldDuration, Default: defaultReconnectMax.String(),
			Description: "longest pause between two reconnection attempts (the pause doubles from 1s up to it)"},
	},
	Point: []driver.Field{
		{Name: "topic", Type: driver.FieldString,
			Description: "topic filter the point's value arrives on; + and # wildcards allowed. Required for readable points"},
		{Name: "path", Type: driver.FieldString, Default: "$",
			Description: "JSONPath into a JSON payload: $.temp, $.sensors[0].value, $['key with.dots']; $ takes the whole payload"},
		{Name: "write_topic", Type: driver.FieldString,
			Description: "topic a write publishes to (no wildcards). Required for writable points"},
		{Name: "write_payload", Type: driver.FieldString,
			Description: "payload template of a write, {{value}} replaced by the value; default the value as JSON"},
	},
}

// settings is the validated device configuration.
type settings struct {
	url          *url.URL // scheme mqtt or mqtts, with a port
	clientID     string
	username     string
	password     string
	caFile       string
	certFile     string
	keyFile      string
	version      int
	qos          byte
	keepAlive    time.Duration
	reconnectMax time.Duration
}

// parseDevice decodes and validates a device's config.param.
func parseDevice(dev driver.Device) (settings, error) {
	var c deviceConfig
	if err := driver.DecodeConfig(dev.Config, &c); err != nil {
		return settings{}, err
	}
	u, err := brokerURL(c.URL)
	if err != nil {
		return settings{}, err
	}
	s := settings{
		url: u, clientID: c.ClientID, username: c.Username, password: c.Password,
		caFile: c.CAFile, certFile: c.CertFile, keyFile: c.KeyFile,
		version:      intOr(c.Version, defaultVersion),
		keepAlive:    c.KeepAlive.Or(defaultKeepAlive),
		reconnectMax: c.ReconnectMax.Or(defaultReconnectMax),
	}
	if s.clientID == "" {
		s.clientID = defaultClientID(dev)
	}
	if s.version != 3 && s.version != 5 {
		return settings{}, argError("version %d: want 3 or 5", s.version)
	}
	qos := intOr(c.QoS, defaultQoS)
	if qos < 0 || qos > 2 {
		return settings{}, argError("qos %d: want 0, 1 or 2", qos)
	}
	s.qos = byte(qos)
	return s, s.checkTLS()
}

// checkTLS rejects TLS files on a plain connection (they would be silently
// ignored) and a certificate without its key.
func (s settings) checkTLS() error {
	hasFiles := s.caFile != "" || s.certFile != "" || s.keyFile != ""
	if hasFiles && s.url.Scheme != "mqtts" {
		return argError("ca_file, cert_file and key_file need an mqtts:// url")
	}
	if (s.certFile == "") != (s.keyFile == "") {
		return argError("cert_file and key_file go together")
	}
	if s.keepAlive < time.Second || s.keepAlive > 65535*time.Second {
		return argError("keepalive %s: want 1s to 18h12m15s", s.keepAlive)
	}
	if s.reconnectMax < 2*time.Second {
		return argError("reconnect_max %s: want at least 2s", s.reconnectMax)
	}
	return nil
}

// brokerURL parses mqtt://host:port or mqtts://host:port, adding the
// protocol's default port.
func brokerURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, argError("url is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, argError("url %q: %v", raw, err)
	}
	if u.Scheme != "mqtt" && u.Scheme != "mqtts" {
		return nil, argError("url %q: scheme must be mqtt or mqtts", raw)
	}
	if u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, argError("url %q: want mqtt://host:port (credentials go in username/password)", raw)
	}
	if u.Port() == "" {
		port := defaultPortPlain
		if u.Scheme == "mqtts" {
			port = defaultPortTLS
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	u.Path = ""
	return u, nil
}

// defaultClientID is unique per device across gateways sharing a broker and
// fits the 23 characters every MQTT 3.1.1 broker must accept.
func defaultClientID(dev driver.Device) string {
	gw := dev.Gateway
	if len(gw) > 8 {
		gw = gw[:8]
	}
	return "iotos-" + gw + dev.ID
}

// parsePoint decodes and validates a point's config.param.
func parsePoint(p driver.Point) (pointConfig, error) {
	var c pointConfig
	if err := driver.DecodeConfig(p.Config, &c); err != nil {
		return c, err
	}
	if p.Access.CanRead() && p.Proxy == nil {
		if c.Topic == "" {
			return c, argError("topic is required for a readable point")
		}
		if err := checkFilter(c.Topic); err != nil {
			return c, err
		}
	}
	if p.Access.CanWrite() {
		if c.WriteTopic == "" {
			return c, argError("write_topic is required for a writable point")
		}
		if err := checkTopicName(c.WriteTopic); err != nil {
			return c, err
		}
	}
	if c.WritePayload != "" && !strings.Contains(c.WritePayload, valuePlaceholder) {
		return c, argError("write_payload %q has no %s", c.WritePayload, valuePlaceholder)
	}
	return c, nil
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func argError(format string, args ...any) error {
	return driver.Errorf(driver.CodeArgError, format, args...)
}
