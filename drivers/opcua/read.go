package opcua

import (
	"context"
	"time"

	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// Read reads the given points in one Read request. Subscribe-mode points
// whose subscription already delivered a value are answered from it without
// asking the server. A node the server refuses gives that point a Bad
// sample; only a failed request fails the whole read.
func (d *OPCUA) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, driver.Errorf(driver.CodeTimeout, "device %s read: %v", d.devID, err)
	}
	out := make([]driver.Sample, 0, len(points))
	var ask []*tag
	for _, p := range points {
		t, ok := d.tags[p.ID]
		switch {
		case !ok:
			out = append(out, driver.BadSample(p.ID, driver.CodeArgError))
		case !p.Access.CanRead():
			out = append(out, driver.BadSample(p.ID, codePropertyNotValid))
		case t.subscribe:
			if s, ok := d.cache.get(p.ID); ok {
				out = append(out, s)
				continue
			}
			ask = append(ask, t)
		default:
			ask = append(ask, t)
		}
	}
	if len(ask) == 0 {
		return out, nil
	}
	samples, err := d.readNodes(ctx, ask)
	if err != nil {
		return nil, err
	}
	return append(out, samples...), nil
}

// ReadNow reads one point from the server, whatever its mode.
func (d *OPCUA) ReadNow(ctx context.Context, p driver.Point) (driver.Sample, error) {
	t, ok := d.tags[p.ID]
	if !ok {
		return driver.Sample{}, argError("device %s point %s: not configured", d.devID, p.ID)
	}
	if err := ctx.Err(); err != nil {
		return driver.Sample{}, driver.Errorf(driver.CodeTimeout, "device %s read: %v", d.devID, err)
	}
	samples, err := d.readNodes(ctx, []*tag{t})
	if err != nil {
		return driver.Sample{}, err
	}
	return samples[0], nil
}

// readNodes reads the Value attribute of every tag in one request.
func (d *OPCUA) readNodes(ctx context.Context, tags []*tag) ([]driver.Sample, error) {
	what := "device " + d.devID + " read"
	l := d.current()
	if l == nil {
		d.kick()
		return nil, driver.Errorf(driver.CodeNetError, "%s: %v", what, errNotConnected)
	}
	req := &ua.ReadRequest{TimestampsToReturn: ua.TimestampsToReturnBoth}
	for _, t := range tags {
		req.NodesToRead = append(req.NodesToRead, &ua.ReadValueID{NodeID: t.node, AttributeID: ua.AttributeIDValue})
	}
	resp, err := l.client.Read(ctx, req)
	if err != nil {
		d.kick()
		return nil, requestError(ctx, what, err)
	}
	if len(resp.Results) != len(tags) {
		return nil, driver.Errorf(driver.CodeNetError, "%s: %d results for %d nodes", what, len(resp.Results), len(tags))
	}
	out := make([]driver.Sample, len(tags))
	for i, t := range tags {
		out[i] = d.sample(t, resp.Results[i])
	}
	return out, nil
}

// sample converts one data value into the point's sample: Bad with a code
// for a Bad status or a value that does not convert, Uncertain for an
// uncertain status, stamped with the source time when the server gives one.
func (d *OPCUA) sample(t *tag, dv *ua.DataValue) driver.Sample {
	id := t.point.ID
	if dv == nil {
		return driver.BadSample(id, CodeBadStatus)
	}
	if isBad(dv.Status) {
		d.host.Logger().Debug("bad value", "point", id, "node", t.node.String(), "status", dv.Status.Error())
		return driver.BadSample(id, statusCode(dv.Status))
	}
	var raw any
	if dv.Value != nil {
		raw = dv.Value.Value()
	}
	v, err := pointValue(t.point.Type, raw)
	if err != nil {
		d.host.Logger().Debug("value does not convert", "point", id, "node", t.node.String(), "err", err)
		return driver.BadSample(id, driver.CodeTypeNotValid)
	}
	q := driver.Good
	if isUncertain(dv.Status) {
		q = driver.Uncertain
	}
	return driver.Sample{Point: id, Value: v, TS: sourceTime(dv), Quality: q}
}

// sourceTime is when the value was sampled: the source timestamp, else the
// server's, else now.
func sourceTime(dv *ua.DataValue) time.Time {
	switch {
	case !dv.SourceTimestamp.IsZero():
		return dv.SourceTimestamp
	case !dv.ServerTimestamp.IsZero():
		return dv.ServerTimestamp
	}
	return time.Now()
}
