package http

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// userAgent is sent unless the device's headers set one, so a device's
// access log shows who polls it.
const userAgent = "iotos-http"

// request is one HTTP exchange to send.
type request struct {
	method  string
	url     string
	headers header
	body    []byte
}

// response is a completed exchange: the status and the whole body.
type response struct {
	status int
	body   []byte
}

// newClient makes the device's own client, so its TLS setting and idle
// connections are its own and Close can release them. Proxies come from
// the environment (HTTP_PROXY, NO_PROXY), as for any HTTP client.
func newClient(s settings) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.insecure} //nolint:gosec // opt-in for self-signed devices
	tr.MaxIdleConnsPerHost = 4
	return &http.Client{Transport: tr}
}

// do sends r within the device's timeout and reads the response body up to
// the size limit. Failures carry their IOTOS code (see requestFailed).
func (d *HTTP) do(ctx context.Context, r request) (response, error) {
	what := fmt.Sprintf("device %s: %s %s", d.devID, r.method, redactURL(r.url))
	ctx, cancel := context.WithTimeout(ctx, d.cfg.timeout)
	defer cancel()
	var body io.Reader
	if len(r.body) > 0 {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return response{}, requestFailed(what, err)
	}
	d.prepare(req, r)
	resp, err := d.client.Do(req)
	if err != nil {
		return response{}, requestFailed(what, err)
	}
	defer resp.Body.Close()
	data, err := readLimited(resp, d.cfg.maxResponseSize)
	if err != nil {
		return response{}, requestFailed(what, err)
	}
	return response{status: resp.StatusCode, body: data}, nil
}

// prepare sets the defaults, the configured headers and the credentials.
func (d *HTTP) prepare(req *http.Request, r request) {
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if len(r.body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	r.headers.apply(req)
	switch a := d.cfg.auth; a.Type {
	case authBasic:
		req.SetBasicAuth(a.Username, string(a.Password))
	case authBearer:
		req.Header.Set("Authorization", "Bearer "+string(a.Token))
	}
}

// readLimited reads a whole body, failing once it passes limit bytes so a
// runaway or hostile server cannot exhaust the edge device's memory.
func readLimited(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d > %d bytes", errResponseTooLarge, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", errResponseTooLarge, limit)
	}
	return body, nil
}

// redactURL hides a password written into a URL before it reaches a
// message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}
