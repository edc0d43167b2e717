package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// object is a JSON object that remembers its key order and each value's
// original bytes. The .tb codec uses it so an export lays the model's fields
// over what was imported without reordering or respelling anything else.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func newObject() *object { return &object{vals: map[string]json.RawMessage{}} }

var errNotObject = errors.New("not a JSON object")

// parseObject reads one JSON object from untrusted bytes: it checks the
// whole text once, then splits it.
func parseObject(raw []byte) (*object, []string, error) {
	if !json.Valid(raw) {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, nil, err
		}
		return nil, nil, errors.New("invalid JSON")
	}
	return splitObject(raw)
}

// splitObject splits a JSON object that is already known to be valid (a
// value inside text parseObject checked, or one the codec wrote) into keys
// and raw values, without decoding them: tables with a million points are
// read this way in one pass. Duplicate keys keep their first position and
// the last value (as encoding/json does) and are returned so callers that
// key IDs by them can report them.
func splitObject(raw []byte) (*object, []string, error) {
	s := scanner{b: raw}
	if s.skipWS() != '{' {
		return nil, nil, errNotObject
	}
	s.i++
	o := newObject()
	var dups []string
	if s.skipWS() == '}' {
		return o, nil, nil
	}
	for {
		key, err := s.key()
		if err != nil {
			return nil, nil, err
		}
		v, err := s.value()
		if err != nil {
			return nil, nil, fmt.Errorf("key %q: %w", key, err)
		}
		if _, dup := o.vals[key]; dup {
			dups = append(dups, key)
		}
		o.set(key, v)
		switch s.skipWS() {
		case ',':
			s.i++
			s.skipWS()
		case '}':
			return o, dups, nil
		default:
			return nil, nil, errNotObject
		}
	}
}

// scanner walks valid JSON text; its bounds checks turn misuse on invalid
// text into errors, never panics.
type scanner struct {
	b []byte
	i int
}

var errTruncated = errors.New("unexpected end of JSON")

// skipWS skips whitespace and returns the next byte (0 at the end).
func (s *scanner) skipWS() byte {
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return c
		}
	}
	return 0
}

// key reads `"key" :` and leaves the scanner at the value.
func (s *scanner) key() (string, error) {
	start := s.i
	end, err := s.stringEnd()
	if err != nil {
		return "", err
	}
	text := s.b[start:end]
	if s.skipWS() != ':' {
		return "", errNotObject
	}
	s.i++
	s.skipWS()
	if bytes.IndexByte(text, '\\') < 0 && utf8.Valid(text) {
		return string(text[1 : len(text)-1]), nil
	}
	var key string
	err = json.Unmarshal(text, &key)
	return key, err
}

// stringEnd moves past the string starting at s.i and returns its end.
func (s *scanner) stringEnd() (int, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return 0, errNotObject
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			j++
		case '"':
			s.i = j + 1
			return s.i, nil
		}
	}
	return 0, errTruncated
}

// value returns the raw bytes of the value at s.i and moves past it.
func (s *scanner) value() (json.RawMessage, error) {
	start := s.i
	if start >= len(s.b) {
		return nil, errTruncated
	}
	switch s.b[start] {
	case '"':
		if _, err := s.stringEnd(); err != nil {
			return nil, err
		}
	case '{', '[':
		if err := s.skipNested(); err != nil {
			return nil, err
		}
	default:
		for s.i < len(s.b) && !endsScalar(s.b[s.i]) {
			s.i++
		}
	}
	return s.b[start:s.i], nil
}

// endsScalar reports whether c ends a number or a literal.
func endsScalar(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// skipNested moves past an object or array, strings and all.
func (s *scanner) skipNested() error {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, err := s.stringEnd(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return errTruncated
}

// isNullOrAbsent reports whether raw is missing or JSON null.
func isNullOrAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

func (o *object) get(key string) (json.RawMessage, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// set replaces a key's value in place, or appends the key.
func (o *object) set(key string, v json.RawMessage) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

func (o *object) del(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	for i, k := range o.keys {
		if k == key {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			return
		}
	}
}

// without returns a copy of the object's bytes without one key.
func (o *object) without(key string) json.RawMessage {
	c := &object{keys: make([]string, 0, len(o.keys)), vals: make(map[string]json.RawMessage, len(o.vals))}
	for _, k := range o.keys {
		if k != key {
			c.set(k, o.vals[k])
		}
	}
	return c.bytes()
}

// bytes writes the object compactly in key order.
func (o *object) bytes() json.RawMessage {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := marshalNoEscape(k) // a string always marshals
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(o.vals[k])
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// mustJSON marshals values the codec builds itself (strings, numbers, bools,
// lists of strings, proxies), which cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := marshalNoEscape(v)
	if err != nil {
		panic(fmt.Sprintf("model: marshal %T: %v", v, err))
	}
	return b
}
