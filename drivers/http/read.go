package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// maxParallelPolls bounds the requests one Read has in flight: enough to
// hide latency across a few URLs without flooding a small device.
const maxParallelPolls = 4

// Read polls every distinct URL of the points once and extracts each point
// from its URL's response. A URL that fails makes its points Bad with the
// failure's code while the others are read; when every URL fails the whole
// read fails, so the engine marks the device offline.
func (d *HTTP) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("device %s: %w", d.devID, err)
	}
	urls, byURL := d.group(points)
	results := d.fetchAll(ctx, urls)
	if err := allFailed(results); err != nil {
		return nil, err
	}
	samples := make([]driver.Sample, len(points))
	for i, p := range points {
		samples[i] = d.sample(p, results, byURL)
	}
	return samples, nil
}

// allFailed returns the first failure when every request failed, nil
// when at least one succeeded or none was sent.
func allFailed(results []fetchResult) error {
	for _, r := range results {
		if r.err == nil {
			return nil
		}
	}
	if len(results) == 0 {
		return nil
	}
	return results[0].err
}

// ReadNow reads one point on demand with its own request.
func (d *HTTP) ReadNow(ctx context.Context, p driver.Point) (driver.Sample, error) {
	samples, err := d.Read(ctx, []driver.Point{p})
	if err != nil {
		return driver.Sample{}, err
	}
	return samples[0], nil
}

// group lists the distinct URLs of the readable points in order of first
// use and maps each URL to its index in that list.
func (d *HTTP) group(points []driver.Point) ([]string, map[string]int) {
	byURL := map[string]int{}
	var urls []string
	for _, p := range points {
		b, ok := d.bindings[p.ID]
		if !ok || !p.Access.CanRead() {
			continue
		}
		if _, seen := byURL[b.url]; !seen {
			byURL[b.url] = len(urls)
			urls = append(urls, b.url)
		}
	}
	return urls, byURL
}

// fetchResult is one URL's decoded response or its failure.
type fetchResult struct {
	body payload
	at   time.Time
	err  error
}

// fetchAll polls the URLs, at most maxParallelPolls at a time.
func (d *HTTP) fetchAll(ctx context.Context, urls []string) []fetchResult {
	results := make([]fetchResult, len(urls))
	slots := make(chan struct{}, maxParallelPolls)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			results[i] = d.fetch(ctx, u)
		}()
	}
	wg.Wait()
	return results
}

// fetch polls one URL; only a 2xx status counts as a reading.
func (d *HTTP) fetch(ctx context.Context, u string) fetchResult {
	var body []byte
	if d.cfg.body != "" {
		body = []byte(d.cfg.body)
	}
	resp, err := d.do(ctx, request{method: d.cfg.method, url: u, headers: d.cfg.headers, body: body})
	if err != nil {
		return fetchResult{err: err}
	}
	if resp.status < 200 || resp.status > 299 {
		return fetchResult{err: statusError(d.devID, d.cfg.method, u, resp)}
	}
	return fetchResult{body: decodePayload(resp.body), at: time.Now()}
}

// statusError reports an unexpected HTTP status (504) with the start of the
// body, which usually says why.
func statusError(devID, method, u string, resp response) error {
	return driver.Errorf(driver.CodeNetError, "device %s: %s %s: HTTP status %d %s: %s",
		devID, method, redactURL(u), resp.status, http.StatusText(resp.status), clip(strings.TrimSpace(string(resp.body)), 200))
}

// sample extracts one point from its URL's result.
func (d *HTTP) sample(p driver.Point, results []fetchResult, byURL map[string]int) driver.Sample {
	b, ok := d.bindings[p.ID]
	if !ok {
		return driver.BadSample(p.ID, driver.CodeArgError)
	}
	if !p.Access.CanRead() {
		return driver.BadSample(p.ID, codePropertyNotValid)
	}
	r := results[byURL[b.url]]
	if r.err != nil {
		return driver.BadSample(p.ID, errorCode(r.err))
	}
	v, err := b.value(r.body)
	if err != nil {
		d.host.Logger().Debug("point unreadable", "point", p.ID, "err", err)
		return driver.BadSample(p.ID, errorCode(err))
	}
	return driver.Sample{Point: p.ID, Value: v, TS: r.at, Quality: driver.Good}
}

// payload is a response body, decoded once for every point of its URL.
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

// value selects the point's value and converts it to the point's type. A
// body that is not JSON is text, which only the whole-body path takes, so
// a device answering 21.5 or ON in plain text can still be read.
func (b *binding) value(p payload) (any, error) {
	if !p.isJSON {
		if !b.path.IsRoot() {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "response is not JSON, so path %s selects nothing", b.path)
		}
		return convert(b.point.Type, strings.TrimSpace(string(p.raw)))
	}
	v, found := b.path.Eval(p.doc)
	if !found {
		return nil, driver.Errorf(CodePathNotFound, "path %s selects nothing in the response", b.path)
	}
	return convert(b.point.Type, v)
}
