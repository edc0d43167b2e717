package model

import (
	"bytes"
	"encoding/json"

	"github.com/iotos/iotos/pkg/driver"
)

// DecodeDefault gives a point's stored default (JSON) back in the Go type of
// the point's Type: an INT default is an int64, not the float64 JSON would
// make of it. A legacy default that does not convert is returned as
// decoded; nil bytes are no default.
func DecodeDefault(t driver.Type, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil && t == driver.Int {
			v = i
		} else if f, err := n.Float64(); err == nil {
			v = f
		}
	}
	if c, err := driver.Convert(t, v); err == nil {
		return c, nil
	}
	return v, nil
}
