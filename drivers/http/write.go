package http

import (
	"context"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
)

// Write sends the point's write request with the value filled into the
// body template. A status the write does not count as success (any 2xx by
// default, else success_codes) fails with 504 and the status. The result
// carries the status and the response body: decoded when it is JSON, as
// text otherwise, absent when empty.
func (d *HTTP) Write(ctx context.Context, p driver.Point, value any) (driver.Result, error) {
	b, ok := d.bindings[p.ID]
	if !ok || b.write == nil {
		return driver.Result{}, driver.Errorf(codePropertyNotValid, "device %s point %s: not writable through this driver", d.devID, p.ID)
	}
	w := b.write
	name := p.Name
	if name == "" {
		name = p.ID
	}
	body, err := w.body.render(value, name)
	if err != nil {
		return driver.Result{}, driver.Errorf(driver.CodeTypeNotValid, "device %s point %s: value %v: %v", d.devID, p.ID, value, err)
	}
	resp, err := d.do(ctx, request{method: w.method, url: w.url.String(), headers: w.headers, body: body})
	if err != nil {
		return driver.Result{}, err
	}
	if !w.success(resp.status) {
		return driver.Result{}, statusError(d.devID, w.method, w.url.String(), resp)
	}
	return driver.OK(writeReply{Status: resp.status, Body: replyBody(resp.body)}), nil
}

// writeReply is the data of a write's result.
type writeReply struct {
	Status int `json:"status"`
	Body   any `json:"body,omitempty"`
}

// replyBody is a response body as a caller can use it: the JSON document,
// or the text, or nil when there is none.
func replyBody(raw []byte) any {
	if strings.TrimSpace(string(raw)) == "" {
		return nil
	}
	p := decodePayload(raw)
	if p.isJSON {
		return p.doc
	}
	return string(raw)
}
