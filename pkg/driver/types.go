package driver

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Type is a point's value type.
type Type string

// Point types. Values are carried as bool, int64, float64 and string.
const (
	Bool   Type = "BOOL"
	Int    Type = "INT"
	Float  Type = "FLOAT"
	String Type = "STRING"
)

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return t == Bool || t == Int || t == Float || t == String }

// Access says whether a point may be read, written or both.
type Access string

// Access modes.
const (
	Read      Access = "r"
	Write     Access = "w"
	ReadWrite Access = "rw"
)

// CanRead reports whether the point may be read.
func (a Access) CanRead() bool { return a == Read || a == ReadWrite }

// CanWrite reports whether the point may be written.
func (a Access) CanWrite() bool { return a == Write || a == ReadWrite }

// Quality of a sample.
type Quality string

// Qualities.
const (
	Good      Quality = "good"
	Bad       Quality = "bad"
	Uncertain Quality = "uncertain"
)

// Device is what a driver is given at Init: its device and the points it owns.
type Device struct {
	Gateway string // gateway ID (32 hex)
	ID      string // device ID (8 hex)
	Name    string
	Driver  string          // the driver name the device was configured with
	Config  json.RawMessage // the driver's device configuration (the .tb config.param), parent merged in
	Points  []Point         // every enabled point, in table order
	// Subscribe lists "dev.*" / "dev.pt" whose values reach Subscriber.
	Subscribe []string
}

// Point is one data point as a driver sees it.
type Point struct {
	ID       string // 4 hex, unique in the device
	Name     string
	Type     Type
	Access   Access
	Unit     string
	Interval time.Duration // poll period; 0 = not polled
	Min, Max *float64
	Pattern  string
	Default  any             // typed default value, or nil
	Config   json.RawMessage // the driver's point configuration (the .tb config.param)
	// Proxy, when set, says this point is filled from another point's read
	// (the original config.proxy): Pointer is that point's ID, Index the
	// position in its result tuple.
	Proxy *Proxy
}

// Proxy is the original's config.proxy.
type Proxy struct {
	Pointer string `json:"pointer"`
	Index   int    `json:"index"`
}

// Sample is one value of one point.
type Sample struct {
	Point   string    // point ID (4 hex) within the device, or "dev.pt" where stated
	Value   any       // bool, int64, float64 or string
	TS      time.Time // source time: when the value was read
	Quality Quality
	Code    int // error code for a bad sample (504, 519, …), 0 otherwise
}

// GoodSample is a good sample taken now.
func GoodSample(point string, v any) Sample {
	return Sample{Point: point, Value: v, TS: time.Now(), Quality: Good}
}

// BadSample is a bad sample taken now, with an error code.
func BadSample(point string, code int) Sample {
	return Sample{Point: point, TS: time.Now(), Quality: Bad, Code: code}
}

// Convert turns v into the Go representation of t: bool, int64, float64 or
// string. Strings are parsed cleanly ("3.5" is not an INT, "0" is false).
// It returns an *Error with code 516 when v does not convert.
func Convert(t Type, v any) (any, error) {
	switch t {
	case Bool:
		return toBool(v)
	case Int:
		return toInt(v)
	case Float:
		return toFloat(v)
	case String:
		return toString(v)
	}
	return nil, Errorf(CodeTypeNotValid, "unknown type %q", t)
}

func typeErr(t Type, v any) error {
	return Errorf(CodeTypeNotValid, "%v (%T) is not a valid %s", v, v, t)
}

func toBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	case int:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	case json.Number:
		return toBool(string(x))
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "on":
			return true, nil
		case "false", "0", "off":
			return false, nil
		}
	}
	return nil, typeErr(Bool, v)
}

func toInt(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if x == math.Trunc(x) && x >= -9.2e18 && x <= 9.2e18 {
			return int64(x), nil
		}
	case float32:
		return toInt(float64(x))
	case json.Number:
		return toInt(string(x))
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err == nil {
			return n, nil
		}
	}
	return nil, typeErr(Int, v)
}

func toFloat(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return x, nil
		}
	case float32:
		return toFloat(float64(x))
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case json.Number:
		return toFloat(string(x))
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err == nil {
			return toFloat(f)
		}
	}
	return nil, typeErr(Float, v)
}

func toString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case json.Number:
		return string(x), nil
	}
	return nil, typeErr(String, v)
}

// DecodeConfig decodes a driver's JSON configuration into v strictly:
// unknown keys are errors, so a typo fails at load instead of being ignored.
// An empty or null raw leaves v at its defaults.
func DecodeConfig(raw json.RawMessage, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return Errorf(CodeArgError, "config: %v", err)
	}
	return nil
}
