package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iotos/iotos/pkg/driver"
)

// The .tb field readers turn one JSON value into a model value. Legacy
// tables spell numbers as strings or numbers, and leave fields "" or null,
// so each reader accepts every spelling the original produced. An absent
// key reaches them as a nil raw. The encoder uses the same readers to tell
// whether an imported spelling still says what the model says.

// scalar decodes raw into nil (absent/null), string, json.Number or bool.
// Objects and arrays are an error: no scalar field holds one.
func scalar(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if isNullOrAbsent(raw) {
		return nil, nil
	}
	if v, ok := fastScalar(raw); ok {
		return v, nil
	}
	v, err := decodeAny(raw)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case string, json.Number, bool:
		return v, nil
	}
	return nil, fmt.Errorf("%s is not a string or a number", clip(raw))
}

// fastScalar reads the common spellings — plain strings, numbers, true and
// false — without a JSON decoder; raw is a value from checked text.
func fastScalar(raw []byte) (any, bool) {
	switch c := raw[0]; {
	case c == '"' && len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw):
		return string(raw[1 : len(raw)-1]), true
	case c == '-' || c >= '0' && c <= '9':
		return json.Number(raw), true
	case string(raw) == "true":
		return true, true
	case string(raw) == "false":
		return false, true
	}
	return nil, false
}

// clip shortens a raw value for an error message.
func clip(raw []byte) string {
	const max = 40
	if len(raw) > max {
		return string(raw[:max]) + "…"
	}
	return string(raw)
}

func tbString(raw json.RawMessage) (string, error) {
	v, err := scalar(raw)
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return string(x), nil // legacy tables sometimes hold numeric names
	case bool:
		return "", fmt.Errorf("%v is not a string", x)
	}
	return "", err
}

// tbNumber reads a number spelled as a JSON number or a string; absent, null
// and "" are "no value" (ok false).
func tbNumber(raw json.RawMessage) (f float64, ok bool, err error) {
	v, err := scalar(raw)
	if err != nil {
		return 0, false, err
	}
	var text string
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case string:
		text = strings.TrimSpace(x)
		if text == "" {
			return 0, false, nil
		}
	case json.Number:
		text = string(x)
	case bool:
		return 0, false, fmt.Errorf("%v is not a number", x)
	}
	f, err = strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, fmt.Errorf("%q is not a number", text)
	}
	return f, true, nil
}

func tbOptFloat(raw json.RawMessage) (*float64, error) {
	f, ok, err := tbNumber(raw)
	if !ok || err != nil {
		return nil, err
	}
	return &f, nil
}

func tbFloat(raw json.RawMessage) (float64, error) {
	f, _, err := tbNumber(raw)
	return f, err
}

func tbInt(raw json.RawMessage) (int64, error) {
	f, _, err := tbNumber(raw)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("%v is not a whole number", f)
	}
	return int64(f), nil
}

func tbType(raw json.RawMessage) (driver.Type, error) {
	s, err := tbString(raw)
	if err != nil {
		return "", err
	}
	t := driver.Type(strings.ToUpper(strings.TrimSpace(s)))
	if !t.Valid() {
		return "", fmt.Errorf("%q is not BOOL, INT, FLOAT or STRING", s)
	}
	return t, nil
}

// errNoAccess marks a point without readwrite: read-write is assumed, with a
// warning.
var errNoAccess = errors.New("missing; read-write assumed")

func tbAccess(raw json.RawMessage) (driver.Access, error) {
	s, err := tbString(raw)
	if err != nil {
		return "", err
	}
	if isNullOrAbsent(raw) {
		return driver.ReadWrite, errNoAccess
	}
	switch strings.TrimSpace(s) {
	case "0", "rw":
		return driver.ReadWrite, nil
	case "1", "r":
		return driver.Read, nil
	case "2", "w":
		return driver.Write, nil
	}
	return "", fmt.Errorf("%q is not \"0\" (read-write), \"1\" (read) or \"2\" (write)", s)
}

func tbBool(raw json.RawMessage, def bool) (bool, error) {
	v, err := scalar(raw)
	if err != nil || v == nil {
		return def, err
	}
	b, err := driver.Convert(driver.Bool, v)
	if err != nil {
		return def, fmt.Errorf("%s is not true or false", clip(raw))
	}
	return b.(bool), nil
}

// tbDefault reads defaultvalue, typed by the point's type; "" is no default.
func tbDefault(raw json.RawMessage, t driver.Type) (any, error) {
	v, err := scalar(raw)
	if err != nil || v == nil || v == "" {
		return nil, err
	}
	if !t.Valid() {
		return nil, nil // the type is reported on its own
	}
	out, err := driver.Convert(t, v)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid %s", clip(raw), t)
	}
	return out, nil
}

// tbParam reads config.param as compact JSON; absent and null are nil.
func tbParam(raw json.RawMessage) (json.RawMessage, error) {
	if isNullOrAbsent(raw) {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func tbProxy(raw json.RawMessage) (*driver.Proxy, error) {
	if isNullOrAbsent(raw) {
		return nil, nil
	}
	o, _, err := splitObject(raw)
	if err != nil {
		return nil, fmt.Errorf("not an object {pointer, index}")
	}
	pv, _ := o.get("pointer")
	pointer, err := tbString(pv)
	if err != nil || pointer == "" {
		return nil, fmt.Errorf("pointer must name a point")
	}
	iv, _ := o.get("index")
	index, err := tbInt(iv)
	if err != nil || index < 0 || index > math.MaxInt32 {
		return nil, fmt.Errorf("index %s is not a whole number ≥ 0", clip(iv))
	}
	return &driver.Proxy{Pointer: pointer, Index: int(index)}, nil
}

// tbSub reads config.param.sub, the subscriptions that stay in the config
// (external drivers read them there) and become Device.Subscribe.
func tbSub(param json.RawMessage) ([]string, error) {
	if isNullOrAbsent(param) {
		return nil, nil
	}
	o, _, err := splitObject(param)
	if err != nil {
		return nil, nil // a non-object param has no sub
	}
	raw, _ := o.get("sub")
	if isNullOrAbsent(raw) {
		return nil, nil
	}
	var subs []string
	if err := json.Unmarshal(raw, &subs); err != nil {
		return nil, fmt.Errorf("sub must be a list of \"dev.*\" / \"dev.pt\" strings")
	}
	return subs, nil
}

// subObject reads a nested object such as config; absent and null are an
// empty object, anything else that is not an object is an error.
func subObject(raw json.RawMessage) (*object, error) {
	if isNullOrAbsent(raw) {
		return newObject(), nil
	}
	o, _, err := splitObject(raw)
	if err != nil {
		return nil, fmt.Errorf("must be an object")
	}
	return o, nil
}
