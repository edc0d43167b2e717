package mqtt

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/jsonpath"
)

// binding is one point compiled at Init: where its value comes from and
// where its writes go.
type binding struct {
	point        driver.Point
	filter       string        // "" for a write-only point
	path         jsonpath.Path // the zero Path selects the whole payload
	writeTopic   string
	writePayload string
}

func compileBinding(p driver.Point) (*binding, error) {
	c, err := parsePoint(p)
	if err != nil {
		return nil, err
	}
	path, err := jsonpath.Compile(c.Path)
	if err != nil {
		return nil, argError("%v", err)
	}
	b := &binding{point: p, path: path, writeTopic: c.WriteTopic, writePayload: c.WritePayload}
	if p.Access.CanRead() && p.Proxy == nil {
		b.filter = c.Topic
	}
	return b, nil
}

// payload is a received message, decoded once for every point it feeds.
type payload struct {
	raw    []byte
	doc    any // the decoded JSON document, when isJSON
	isJSON bool
}

func decodePayload(raw []byte) payload {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return payload{raw: raw}
	}
	return payload{raw: raw, doc: doc, isJSON: true}
}

// value extracts the point's value from a payload and converts it to the
// point's type. A payload that is not JSON is taken as text, so plain
// payloads such as ON or 21.5 work with the whole-payload path.
func (b *binding) value(p payload) (any, error) {
	if !p.isJSON {
		if !b.path.IsRoot() {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "payload is not JSON, so path %s selects nothing", b.path)
		}
		if !utf8.Valid(p.raw) {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "payload is neither JSON nor UTF-8 text")
		}
		return driver.Convert(b.point.Type, string(p.raw))
	}
	v, ok := b.path.Eval(p.doc)
	switch {
	case !ok:
		return nil, driver.Errorf(driver.CodeTypeNotValid, "path %s not found in the payload", b.path)
	case v == nil:
		return nil, driver.Errorf(driver.CodeTypeNotValid, "path %s is null", b.path)
	}
	if b.point.Type == driver.String {
		return jsonText(v)
	}
	return driver.Convert(b.point.Type, v)
}

// jsonText gives a STRING point strings as they are and objects, arrays
// and numbers as compact JSON, so a point can carry a whole structure.
func jsonText(v any) (any, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "%v", err)
	}
	return string(out), nil
}

// render builds a write's payload: the value as JSON, or write_payload with
// the value in place of {{value}} (strings unquoted, so the template decides
// the quoting).
func (b *binding) render(v any) ([]byte, error) {
	if b.writePayload == "" {
		out, err := json.Marshal(v)
		if err != nil {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "point %s: %v", b.point.ID, err)
		}
		return out, nil
	}
	text, err := driver.Convert(driver.String, v)
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll([]byte(b.writePayload), []byte(valuePlaceholder), []byte(text.(string))), nil
}
