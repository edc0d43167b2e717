package http

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// Defaults of the device config, shared by the spec and the decoder so the
// documented default is the applied one.
const (
	defaultMethod          = "GET"
	defaultWriteMethod     = "POST"
	defaultTimeout         = 10 * time.Second
	defaultMaxResponseSize = 8 << 20
	defaultPath            = "$"
	defaultWriteBody       = "{{value}}"
)

// Secret is a credential. It prints as a redaction marker, so a settings
// value that reaches a log or an error message never shows it.
type Secret string

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "******"
}

// GoString redacts the secret in %#v too.
func (s Secret) GoString() string { return s.String() }

// deviceConfig is a device's config.param.
type deviceConfig struct {
	URL                   string            `json:"url"`
	Method                string            `json:"method"`
	Headers               map[string]string `json:"headers"`
	Auth                  authConfig        `json:"auth"`
	Timeout               driver.Duration   `json:"timeout"`
	TLSInsecureSkipVerify bool              `json:"tls_insecure_skip_verify"`
	Body                  string            `json:"body"`
	MaxResponseSize       *int64            `json:"max_response_size"`
}

// authConfig is the device's auth object.
type authConfig struct {
	Type     string `json:"type"`
	Username string `json:"username"`
	Password Secret `json:"password"`
	Token    Secret `json:"token"`
}

// Auth types.
const (
	authNone   = "none"
	authBasic  = "basic"
	authBearer = "bearer"
)

// spec is the driver's configuration schema; the console renders forms and
// the README's reference table from it.
var spec = driver.Spec{
	Description: "HTTP/REST poller: requests URLs, extracts point values from JSON responses by JSONPath, writes through request templates.",
	Device: []driver.Field{
		{Name: "url", Type: driver.FieldString,
			Description: "http:// or https:// URL polled for the points; required unless every point sets its own url"},
		{Name: "method", Type: driver.FieldEnum, Default: defaultMethod, Enum: pollMethods,
			Description: "method of the poll requests"},
		{Name: "headers", Type: driver.FieldObject,
			Description: "headers sent with every request, e.g. {\"X-Api-Version\": \"2\"}; credentials belong in auth"},
		// Secret redaction works on top-level fields, so the whole auth
		// object is write-only: its password or token never leaves the
		// platform.
		{Name: "auth", Type: driver.FieldObject, Secret: true,
			Description: "authentication, write-only: {\"type\": \"none\"|\"basic\"|\"bearer\", \"username\", \"password\"} for basic, {\"type\": \"bearer\", \"token\"} for bearer"},
		{Name: "timeout", Type: driver.FieldDuration, Default: defaultTimeout.String(),
			Description: "limit of one request, from sending it to reading the whole response"},
		{Name: "tls_insecure_skip_verify", Type: driver.FieldBool, Default: false,
			Description: "accept any server certificate (self-signed devices); the link is then encrypted but not authenticated"},
		{Name: "body", Type: driver.FieldString,
			Description: "request body of POST, PUT or PATCH polls (sent as application/json unless headers say otherwise)"},
		{Name: "max_response_size", Type: driver.FieldInt, Default: defaultMaxResponseSize,
			Description: "largest response body accepted, in bytes; a larger one fails the request"},
	},
	Point: []driver.Field{
		{Name: "path", Type: driver.FieldString, Default: defaultPath,
			Description: "JSONPath into the response: $.temp, $.sensors[0].value, $['key.with.dots']; $ takes the whole body"},
		{Name: "url", Type: driver.FieldString,
			Description: "URL polled for this point instead of the device's, absolute or relative to it; points sharing a URL share one request per poll"},
		{Name: "write", Type: driver.FieldObject,
			Description: "makes writes possible: {\"method\": \"POST\", \"url\", \"headers\", \"body\": \"{\\\"set\\\": {{value}}}\", \"success_codes\": [200]}; {{value}} and {{point}} are JSON-escaped"},
	},
}

// pollMethods are the methods a poll may use: each returns a body.
var pollMethods = []string{"GET", "POST", "PUT", "PATCH"}

// writeMethods are the methods a write may use.
var writeMethods = []string{"POST", "PUT", "PATCH", "GET", "DELETE"}

// settings is the validated device configuration.
type settings struct {
	url             *url.URL // nil when every point sets its own
	method          string
	headers         header
	auth            authConfig
	timeout         time.Duration
	insecure        bool
	body            string
	maxResponseSize int64
}

// parseDevice decodes and validates a device's config.param.
func parseDevice(raw json.RawMessage) (settings, error) {
	var c deviceConfig
	if err := driver.DecodeConfig(raw, &c); err != nil {
		return settings{}, err
	}
	s := settings{
		method: strings.ToUpper(c.Method), auth: c.Auth, body: c.Body,
		timeout: time.Duration(c.Timeout), insecure: c.TLSInsecureSkipVerify,
		maxResponseSize: defaultMaxResponseSize,
	}
	if s.method == "" {
		s.method = defaultMethod
	}
	if s.timeout == 0 {
		s.timeout = defaultTimeout
	}
	if c.MaxResponseSize != nil {
		s.maxResponseSize = *c.MaxResponseSize
	}
	var err error
	if c.URL != "" {
		if s.url, err = parseURL(c.URL); err != nil {
			return settings{}, err
		}
	}
	if s.headers, err = parseHeaders(c.Headers); err != nil {
		return settings{}, err
	}
	return s, s.check()
}

// check validates what parseDevice could not while decoding.
func (s *settings) check() error {
	if !slices.Contains(pollMethods, s.method) {
		return argError("method %q: want one of %s", s.method, strings.Join(pollMethods, ", "))
	}
	if s.body != "" && s.method == "GET" {
		return argError("body needs method POST, PUT or PATCH")
	}
	if s.timeout < 0 {
		return argError("timeout %s: must be positive", s.timeout)
	}
	if s.maxResponseSize <= 0 {
		return argError("max_response_size %d: must be positive", s.maxResponseSize)
	}
	return checkAuth(&s.auth, s.headers)
}

// checkAuth rejects an auth object whose fields do not fit its type, since
// a token set under type none would silently not be sent.
func checkAuth(a *authConfig, h header) error {
	a.Type = strings.ToLower(a.Type)
	if a.Type == "" {
		a.Type = authNone
	}
	switch a.Type {
	case authNone:
		if a.Username != "" || a.Password != "" || a.Token != "" {
			return argError("auth: username, password or token set, but type is none")
		}
		return nil
	case authBasic:
		if a.Username == "" || a.Token != "" {
			return argError("auth: type basic needs username (and password), not token")
		}
	case authBearer:
		if a.Token == "" || a.Username != "" || a.Password != "" {
			return argError("auth: type bearer needs token, not username or password")
		}
	default:
		return argError("auth: type %q: want none, basic or bearer", a.Type)
	}
	if h.has("Authorization") {
		return argError("auth type %s and an Authorization header: set one of them", a.Type)
	}
	return nil
}

// parseURL parses an absolute http or https URL.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, argError("url %q: %v", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, argError("url %s: want http://host/... or https://host/...", u.Redacted())
	}
	return u, nil
}

// resolveURL resolves a point's url against the device's: absolute, or
// relative to it ("/api/v2/status", "status?unit=c"). An empty url is the
// device's.
func resolveURL(base *url.URL, raw string) (*url.URL, error) {
	if raw == "" {
		if base == nil {
			return nil, argError("url is required: the device sets none")
		}
		return base, nil
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return nil, argError("url %q: %v", raw, err)
	}
	if !ref.IsAbs() {
		if base == nil {
			return nil, argError("url %q is relative, but the device sets no url", raw)
		}
		ref = base.ResolveReference(ref)
	}
	return parseURL(ref.String())
}

func argError(format string, args ...any) error {
	return driver.Errorf(driver.CodeArgError, format, args...)
}

// String describes the settings without credentials or header values, so
// settings printed while debugging leak no secret. fmt does not look inside
// unexported fields for Stringers, so Secret alone cannot ensure that.
func (s settings) String() string {
	u := "(per point)"
	if s.url != nil {
		u = s.url.Redacted()
	}
	names := make([]string, len(s.headers))
	for i, h := range s.headers {
		names[i] = h.name
	}
	return fmt.Sprintf("%s %s auth=%s headers=[%s] timeout=%s insecure=%t max_response_size=%d",
		s.method, u, s.auth.Type, strings.Join(names, ","), s.timeout, s.insecure, s.maxResponseSize)
}

// GoString is String, for %#v.
func (s settings) GoString() string { return s.String() }
