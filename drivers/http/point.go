package http

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/jsonpath"
)

// pointConfig is a point's config.param.
type pointConfig struct {
	Path  string       `json:"path"`
	URL   string       `json:"url"`
	Write *writeConfig `json:"write"`
}

// writeConfig is a writable point's write object.
type writeConfig struct {
	Method       string            `json:"method"`
	URL          string            `json:"url"`
	Headers      map[string]string `json:"headers"`
	Body         *string           `json:"body"`
	SuccessCodes []int             `json:"success_codes"`
}

// binding is one point compiled at Init: the URL its value comes from, the
// path that selects it, and how a write is sent.
type binding struct {
	point driver.Point
	url   string // the poll URL, the key requests are shared by
	path  jsonpath.Path
	write *writePlan // nil for a point that cannot be written
}

// writePlan is a write request resolved at Init.
type writePlan struct {
	method       string
	url          *url.URL
	headers      header // the device's merged with the write's own
	body         template
	successCodes []int // nil means any 2xx
}

// compileBinding validates a point's config against the device settings.
func compileBinding(p driver.Point, s settings) (*binding, error) {
	var c pointConfig
	if err := driver.DecodeConfig(p.Config, &c); err != nil {
		return nil, err
	}
	path, err := jsonpath.Compile(c.Path)
	if err != nil {
		return nil, argError("%v", err)
	}
	u, err := resolveURL(s.url, c.URL)
	if err != nil {
		return nil, err
	}
	b := &binding{point: p, url: u.String(), path: path}
	if c.Write != nil && !p.Access.CanWrite() {
		return nil, argError("write is set, but the point's access %q does not allow writes", p.Access)
	}
	if p.Access.CanWrite() {
		if c.Write == nil {
			return nil, argError("a writable point needs a write object (\"write\": {} posts the value to the point's url)")
		}
		if b.write, err = compileWrite(*c.Write, u, s.headers); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// compileWrite resolves a write object; its url defaults to the point's.
func compileWrite(c writeConfig, pointURL *url.URL, devHeaders header) (*writePlan, error) {
	w := &writePlan{method: strings.ToUpper(c.Method), url: pointURL, successCodes: c.SuccessCodes}
	if w.method == "" {
		w.method = defaultWriteMethod
	}
	if !slices.Contains(writeMethods, w.method) {
		return nil, argError("write method %q: want one of %s", w.method, strings.Join(writeMethods, ", "))
	}
	var err error
	if c.URL != "" {
		if w.url, err = resolveURL(pointURL, c.URL); err != nil {
			return nil, err
		}
	}
	own, err := parseHeaders(c.Headers)
	if err != nil {
		return nil, err
	}
	w.headers = devHeaders.merge(own)
	body := defaultWriteBody
	if c.Body != nil {
		body = *c.Body
	}
	if body != "" && (w.method == "GET" || w.method == "DELETE") {
		return nil, argError("write body needs method POST, PUT or PATCH (set \"body\": \"\" for %s)", w.method)
	}
	if w.body, err = compileTemplate(body); err != nil {
		return nil, err
	}
	for _, code := range c.SuccessCodes {
		if code < 100 || code > 599 {
			return nil, argError("success_codes: %d is not an HTTP status", code)
		}
	}
	return w, nil
}

// success reports whether a write's response status counts as success.
func (w *writePlan) success(status int) bool {
	if w.successCodes == nil {
		return status >= 200 && status <= 299
	}
	return slices.Contains(w.successCodes, status)
}

// convert turns a value selected from a response into the point's type. A
// STRING point takes objects and arrays as compact JSON text; an INT takes
// an integral number written with a fraction (21.0), as JSON allows.
func convert(t driver.Type, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, driver.Errorf(driver.CodeTypeNotValid, "value is null")
	case map[string]any, []any:
		if t != driver.String {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "value is a JSON object or array, not a %s", t)
		}
		b, err := json.Marshal(x)
		if err != nil {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "%v", err)
		}
		return string(b), nil
	case json.Number:
		if t == driver.Int {
			if n, err := x.Int64(); err == nil {
				return n, nil
			}
			if f, err := x.Float64(); err == nil {
				return driver.Convert(t, f)
			}
		}
	}
	return driver.Convert(t, v)
}
