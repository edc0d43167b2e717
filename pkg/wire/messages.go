package wire

import "encoding/json"

// Methods the host calls on the driver, one per driver.Driver method.
const (
	MethodInit       = "init"       // InitParams → null
	MethodConnect    = "connect"    // null → null
	MethodRead       = "read"       // ReadParams → []Sample
	MethodWrite      = "write"      // WriteParams → Result
	MethodReadNow    = "read_now"   // PointParams → Sample
	MethodBroadcast  = "broadcast"  // BroadcastParams → Result
	MethodSubscribed = "subscribed" // SubscribedParams, notification
	MethodClose      = "close"      // null → null
)

// Methods the driver calls on the host, one per driver.Host method.
const (
	MethodHello       = "hello"       // Hello, notification, the child's first line
	MethodSetValues   = "set_values"  // SetValuesParams, notification
	MethodValue       = "value"       // ValueParams → Sample
	MethodOnline      = "online"      // OnlineParams, notification
	MethodSubscribers = "subscribers" // NameParams → []string
	MethodLog         = "log"         // LogParams, notification
)

// Hello is the child's first line: the protocol and version it speaks.
type Hello struct {
	Protocol string `json:"protocol"`
	Version  int    `json:"version"`
	Driver   string `json:"driver,omitempty"` // free text for logs
}

// Device mirrors driver.Device.
type Device struct {
	Gateway   string          `json:"gateway"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Driver    string          `json:"driver"`
	Config    json.RawMessage `json:"config,omitempty"`
	Points    []Point         `json:"points"`
	Subscribe []string        `json:"subscribe,omitempty"`
}

// Point mirrors driver.Point; IntervalMS is the poll period in ms.
type Point struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Access     string          `json:"access"`
	Unit       string          `json:"unit,omitempty"`
	IntervalMS int64           `json:"interval_ms"`
	Min        *float64        `json:"min,omitempty"`
	Max        *float64        `json:"max,omitempty"`
	Pattern    string          `json:"pattern,omitempty"`
	Default    any             `json:"default,omitempty"`
	Config     json.RawMessage `json:"config,omitempty"`
	Proxy      *Proxy          `json:"proxy,omitempty"`
}

// Proxy mirrors driver.Proxy.
type Proxy struct {
	Pointer string `json:"pointer"`
	Index   int    `json:"index"`
}

// Sample mirrors driver.Sample; TS is Unix milliseconds (0 = now).
type Sample struct {
	Point   string `json:"point"`
	Value   any    `json:"value"`
	TS      int64  `json:"ts,omitempty"`
	Quality string `json:"quality,omitempty"` // "" means good
	Code    int    `json:"code,omitempty"`
}

// Result mirrors driver.Result: the IOTOS envelope, passed through unchanged.
type Result struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

// InitParams carries the device at init.
type InitParams struct {
	Device Device `json:"device"`
}

// ReadParams lists the IDs of the points to read.
type ReadParams struct {
	Points []string `json:"points"`
}

// PointParams names one point.
type PointParams struct {
	Point string `json:"point"`
}

// WriteParams is a write of an already converted value.
type WriteParams struct {
	Point string `json:"point"`
	Value any    `json:"value"`
}

// BroadcastParams is a gateway-wide message.
type BroadcastParams struct {
	From string          `json:"from,omitempty"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
}

// SubscribedParams is a value of a subscribed point ("dev.pt").
type SubscribedParams struct {
	Point  string `json:"point"`
	Sample Sample `json:"sample"`
}

// SetValuesParams reports values of the driver's device.
type SetValuesParams struct {
	Samples []Sample `json:"samples"`
}

// ValueParams asks for a point's current value.
type ValueParams struct {
	Name   string `json:"name"`
	Source string `json:"source,omitempty"`
}

// NameParams names one point: "pt" by ID or name.
type NameParams struct {
	Name string `json:"name"`
}

// OnlineParams marks the device online or offline.
type OnlineParams struct {
	Online bool `json:"online"`
}

// LogParams is a log record; Level is debug, info, warn or error.
type LogParams struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
}
