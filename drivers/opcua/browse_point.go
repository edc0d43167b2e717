package opcua

import (
	"context"
	"encoding/json"

	"github.com/iotos/iotos/pkg/driver"
)

var _ driver.Browser = (*OPCUA)(nil)

// pointTypes maps the OPC UA data types the driver reads (see normalize) to
// the point type a browsed variable is offered as. Other types — structures,
// enumerations known only by node ID, ByteString — are listed without a
// point: the driver could not convert their values.
var pointTypes = map[string]driver.Type{
	"Boolean": driver.Bool,

	"SByte": driver.Int, "Byte": driver.Int, "Int16": driver.Int, "UInt16": driver.Int,
	"Int32": driver.Int, "UInt32": driver.Int, "Int64": driver.Int, "UInt64": driver.Int,
	"Integer": driver.Int, "UInteger": driver.Int, "Enumeration": driver.Int, "StatusCode": driver.Int,

	"Float": driver.Float, "Double": driver.Float, "Number": driver.Float, "Duration": driver.Float,

	"String": driver.String, "LocalizedText": driver.String, "NodeId": driver.String,
	"DateTime": driver.String, "UtcTime": driver.String, "LocaleId": driver.String,
}

// Browse implements driver.Browser on top of Nodes: each variable of a
// known data type carries the point a user gets by adding it, addressed by
// its node ID, typed from its data type, with the access its user has.
func (d *OPCUA) Browse(ctx context.Context, req driver.BrowseRequest) ([]driver.BrowseNode, error) {
	nodes, err := d.Nodes(ctx, req.Root, req.Depth)
	if err != nil {
		return nil, err
	}
	out := make([]driver.BrowseNode, len(nodes))
	for i, n := range nodes {
		out[i] = driver.BrowseNode{
			ID: n.ID, Parent: n.Parent, Name: n.BrowseName, DisplayName: n.DisplayName,
			Class: n.Class, DataType: n.DataType, Depth: n.Depth, Point: suggestPoint(n),
		}
	}
	return out, nil
}

// suggestPoint is the point for a variable node, or nil.
func suggestPoint(n Node) *driver.BrowsePoint {
	if n.Class != "Variable" {
		return nil
	}
	t, ok := pointTypes[n.DataType]
	if !ok {
		return nil
	}
	cfg, err := json.Marshal(map[string]string{"node": n.ID})
	if err != nil {
		return nil
	}
	return &driver.BrowsePoint{Type: t, Access: driver.Access(n.Access), Config: cfg}
}
