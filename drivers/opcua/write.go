package opcua

import (
	"context"

	"github.com/gopcua/opcua/id"
	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// Write writes one point as a value of its node's own data type (an INT
// point writes an Int16 node as Int16), learnt from the server by the first
// write of the point and kept for the session.
func (d *OPCUA) Write(ctx context.Context, p driver.Point, value any) (driver.Result, error) {
	t, ok := d.tags[p.ID]
	if !ok {
		return driver.Result{}, argError("device %s point %s: not configured", d.devID, p.ID)
	}
	what := "device " + d.devID + " point " + p.ID + " write " + t.node.String()
	if err := ctx.Err(); err != nil {
		return driver.Result{}, driver.Errorf(driver.CodeTimeout, "%s: %v", what, err)
	}
	l := d.current()
	if l == nil {
		d.kick()
		return driver.Result{}, driver.Errorf(driver.CodeNetError, "%s: %v", what, errNotConnected)
	}
	typ, err := d.nodeType(ctx, l, t)
	if err != nil {
		return driver.Result{}, err
	}
	v, err := nodeVariant(typ, value)
	if err != nil {
		return driver.Result{}, driver.Errorf(driver.CodeTypeNotValid, "%s: %s", what, errMsg(err))
	}
	if err := d.writeNode(ctx, l, t, v, what); err != nil {
		return driver.Result{}, err
	}
	return driver.OK(value), nil
}

func (d *OPCUA) writeNode(ctx context.Context, l *link, t *tag, v *ua.Variant, what string) error {
	req := &ua.WriteRequest{NodesToWrite: []*ua.WriteValue{{
		NodeID:      t.node,
		AttributeID: ua.AttributeIDValue,
		Value:       &ua.DataValue{EncodingMask: ua.DataValueValue, Value: v},
	}}}
	resp, err := l.client.Write(ctx, req)
	if err != nil {
		d.kick()
		return requestError(ctx, what, err)
	}
	if len(resp.Results) != 1 {
		return driver.Errorf(driver.CodeNetError, "%s: %d results for 1 node", what, len(resp.Results))
	}
	if isBad(resp.Results[0]) {
		return statusError(what, resp.Results[0])
	}
	return nil
}

// nodeType returns the built-in type values of t's node are written as. It
// reads the DataType and Value attributes in one request: a built-in
// DataType decides; otherwise (an enumeration, a subtype such as Duration)
// the type of the current value does.
func (d *OPCUA) nodeType(ctx context.Context, l *link, t *tag) (ua.TypeID, error) {
	if typ, ok := l.types.Load(t.point.ID); ok {
		return typ.(ua.TypeID), nil
	}
	what := "device " + d.devID + " point " + t.point.ID + " data type of " + t.node.String()
	req := &ua.ReadRequest{NodesToRead: []*ua.ReadValueID{
		{NodeID: t.node, AttributeID: ua.AttributeIDDataType},
		{NodeID: t.node, AttributeID: ua.AttributeIDValue},
	}}
	resp, err := l.client.Read(ctx, req)
	if err != nil {
		d.kick()
		return 0, requestError(ctx, what, err)
	}
	if len(resp.Results) != 2 {
		return 0, driver.Errorf(driver.CodeNetError, "%s: %d results for 2 attributes", what, len(resp.Results))
	}
	typ, err := builtinType(resp.Results[0], resp.Results[1], what)
	if err != nil {
		return 0, err
	}
	l.types.Store(t.point.ID, typ)
	return typ, nil
}

// builtinType picks the type from the DataType attribute and the value.
func builtinType(dataType, value *ua.DataValue, what string) (ua.TypeID, error) {
	if isBad(dataType.Status) {
		return 0, statusError(what, dataType.Status)
	}
	if dataType.Value != nil {
		if n := dataType.Value.NodeID(); n != nil && n.Namespace() == 0 && n.IntID() >= id.Boolean && n.IntID() <= id.DiagnosticInfo {
			return ua.TypeID(n.IntID()), nil
		}
	}
	if !isBad(value.Status) && value.Value != nil && value.Value.Type() != ua.TypeIDNull {
		return value.Value.Type(), nil
	}
	return 0, driver.Errorf(driver.CodeTypeNotValid, "%s: not a built-in type and the node has no value to learn it from", what)
}
