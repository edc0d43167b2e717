package bus

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/iotos/iotos/pkg/driver"
)

// appendBatch writes b as encoding/json would; false means a value needs
// the reflective encoder (or does not encode at all).
func appendBatch(out []byte, b *Batch) ([]byte, bool) {
	out = append(out, `{"e":`...)
	out = appendJSONString(out, b.Epoch)
	out = append(out, `,"n":`...)
	out = strconv.AppendUint(out, b.Seq, 10)
	out = append(out, `,"s":`...)
	if b.Samples == nil {
		return append(out, "null}"...), true
	}
	out = append(out, '[')
	for i := range b.Samples {
		if i > 0 {
			out = append(out, ',')
		}
		var ok bool
		if out, ok = appendSample(out, &b.Samples[i]); !ok {
			return nil, false
		}
	}
	return append(out, "]}"...), true
}

// appendSample writes s as encoding/json would, omitempty included.
func appendSample(out []byte, s *WireSample) ([]byte, bool) {
	out = append(out, `{"p":`...)
	out = appendJSONString(out, s.P)
	if s.V != nil {
		out = append(out, `,"v":`...)
		var ok bool
		if out, ok = appendJSONValue(out, s.V); !ok {
			return nil, false
		}
	}
	out = append(out, `,"t":`...)
	out = strconv.AppendInt(out, s.T, 10)
	if s.Q != "" {
		out = append(out, `,"q":`...)
		out = appendJSONString(out, string(s.Q))
	}
	if s.C != 0 {
		out = append(out, `,"c":`...)
		out = strconv.AppendInt(out, int64(s.C), 10)
	}
	return append(out, '}'), true
}

// appendJSONString quotes s directly when it has nothing to escape
// (encoding/json also escapes <, > and &); otherwise encoding/json does it.
func appendJSONString(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			raw, _ := json.Marshal(s) // a string always encodes
			return append(out, raw...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}

// appendJSONValue writes the dynamic value of a WireSample.V. The types an
// engine produces are written here; any other type (named types, maps,
// json.RawMessage, …) is handed to encoding/json, which is what the field's
// reflective encoder does with it. NaN and ±Inf do not encode: false.
func appendJSONValue(out []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case bool:
		return strconv.AppendBool(out, x), true
	case string:
		return appendJSONString(out, x), true
	case float64:
		return appendJSONFloat(out, x, 64)
	case float32:
		return appendJSONFloat(out, float64(x), 32)
	case int:
		return strconv.AppendInt(out, int64(x), 10), true
	case int64:
		return strconv.AppendInt(out, x, 10), true
	case int32:
		return strconv.AppendInt(out, int64(x), 10), true
	case int16:
		return strconv.AppendInt(out, int64(x), 10), true
	case int8:
		return strconv.AppendInt(out, int64(x), 10), true
	case uint:
		return strconv.AppendUint(out, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(out, x, 10), true
	case uint32:
		return strconv.AppendUint(out, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(out, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(out, uint64(x), 10), true
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return append(out, raw...), true
}

// appendJSONFloat formats f as encoding/json's float encoder does: the
// shortest representation, exponent form only outside [1e-6, 1e21), and
// the exponent without a leading zero.
func appendJSONFloat(out []byte, f float64, bits int) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	out = strconv.AppendFloat(out, f, format, -1, bits)
	if format == 'e' {
		if n := len(out); n >= 4 && out[n-4] == 'e' && out[n-3] == '-' && out[n-2] == '0' {
			out[n-2] = out[n-1]
			out = out[:n-1]
		}
	}
	return out, true
}

// jsonReader reads the common form of a batch. Every method returns false
// as soon as the input leaves that form, valid JSON or not; the caller then
// leaves the input to encoding/json. It accepts only valid JSON, and only
// where its result is the one encoding/json gives: exact keys, each at
// most once, strings without escapes, scalar values.
type jsonReader struct {
	data []byte
	i    int
}

// batch reads {"e":…,"n":…,"s":[…]} with the keys in any order.
func (d *jsonReader) batch(b *Batch) bool {
	var seen uint8
	return d.object(func(key []byte) bool {
		var bit uint8
		ok := false
		switch string(key) {
		case "e":
			bit = 1
			b.Epoch, ok = d.str()
		case "n":
			bit = 2
			b.Seq, ok = d.uint()
		case "s":
			bit = 4
			b.Samples, ok = d.samples()
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	})
}

// samples reads the array of samples; [] is an empty, non-nil slice as
// encoding/json makes it.
func (d *jsonReader) samples() ([]WireSample, bool) {
	if !d.next('[') {
		return nil, false
	}
	out := make([]WireSample, 0, len(d.data)/64+1)
	if d.next(']') {
		return out, true
	}
	for {
		out = append(out, WireSample{})
		if !d.sample(&out[len(out)-1]) {
			return nil, false
		}
		if d.next(']') {
			return out, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

// sample reads one {"p":…,"v":…,"t":…,"q":…,"c":…}.
func (d *jsonReader) sample(s *WireSample) bool {
	var seen uint8
	return d.object(func(key []byte) bool {
		var bit uint8
		ok := false
		switch string(key) {
		case "p":
			bit = 1
			s.P, ok = d.str()
		case "v":
			bit = 2
			s.V, ok = d.value()
		case "t":
			bit = 4
			s.T, ok = d.int()
		case "q":
			bit = 8
			var q string
			q, ok = d.str()
			s.Q = driver.Quality(q)
		case "c":
			bit = 16
			var c int64
			c, ok = d.int()
			s.C = int(c)
			ok = ok && int64(s.C) == c
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	})
}

// object reads {"key":value,…}, calling field after each key's colon to
// read the value.
func (d *jsonReader) object(field func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.raw()
		if !ok || !d.next(':') || !field(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// end reports whether only whitespace is left.
func (d *jsonReader) end() bool {
	d.space()
	return d.i == len(d.data)
}

func (d *jsonReader) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next consumes c after optional whitespace.
func (d *jsonReader) next(c byte) bool {
	d.space()
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// raw reads a string without escapes or control characters and returns its
// bytes, which must be valid UTF-8 (encoding/json replaces invalid bytes).
func (d *jsonReader) raw() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start, ascii := d.i, true
	for ; d.i < len(d.data); d.i++ {
		switch c := d.data[d.i]; {
		case c == '"':
			s := d.data[start:d.i]
			d.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (d *jsonReader) str() (string, bool) {
	s, ok := d.raw()
	return string(s), ok
}

// number reads a number literal in JSON's grammar and reports whether it
// is an integer (no fraction, no exponent).
func (d *jsonReader) number() (lit []byte, integer, ok bool) {
	d.space()
	start := d.i
	if d.i < len(d.data) && d.data[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.data) && d.data[d.i] == '0':
		d.i++
	case d.digits() == 0:
		return nil, false, false
	}
	integer = true
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, false, false
		}
		integer = false
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return nil, false, false
		}
		integer = false
	}
	return d.data[start:d.i], integer, true
}

func (d *jsonReader) digits() int {
	start := d.i
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// int reads an integer literal that fits an int64, as encoding/json
// requires of an integer field.
func (d *jsonReader) int() (int64, bool) {
	lit, integer, ok := d.number()
	if !ok || !integer {
		return 0, false
	}
	n, err := strconv.ParseInt(string(lit), 10, 64)
	return n, err == nil
}

// uint reads an unsigned integer literal that fits a uint64.
func (d *jsonReader) uint() (uint64, bool) {
	lit, integer, ok := d.number()
	if !ok || !integer || lit[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(lit), 10, 64)
	return n, err == nil
}

// value reads a scalar as encoding/json stores it in an interface: nil,
// bool, float64 or string. Arrays and objects are left to encoding/json.
func (d *jsonReader) value() (any, bool) {
	d.space()
	if d.i >= len(d.data) {
		return nil, false
	}
	switch d.data[d.i] {
	case '"':
		return d.str()
	case 'n':
		return nil, d.word("null")
	case 't':
		return true, d.word("true")
	case 'f':
		return false, d.word("false")
	}
	lit, _, ok := d.number()
	if !ok {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	return f, err == nil
}

func (d *jsonReader) word(w string) bool {
	if len(d.data)-d.i >= len(w) && string(d.data[d.i:d.i+len(w)]) == w {
		d.i += len(w)
		return true
	}
	return false
}
