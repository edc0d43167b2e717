package driver

import (
	"context"
	"encoding/json"
)

// Browser is implemented by drivers that can list their device's address
// space — an OPC UA server's nodes, later a BACnet device's objects or an
// MQTT broker's topics — so the console can show it as a tree and create
// points from the nodes a user picks. The engine calls it on the device's
// worker like any other command.
type Browser interface {
	Browse(ctx context.Context, req BrowseRequest) ([]BrowseNode, error)
}

// BrowseRequest says where to start and how far to go.
type BrowseRequest struct {
	// Root is the node to list the children of, in the driver's own
	// notation ("ns=2;s=Plant"); empty means the driver's natural top.
	Root string `json:"root,omitempty"`
	// Depth is how many levels below Root to list; 0 or less means 1.
	// Drivers cap it at their own limit.
	Depth int `json:"depth,omitempty"`
}

// BrowseNode is one node of a device's address space.
type BrowseNode struct {
	// ID names the node in the driver's notation; a BrowseRequest with it
	// as Root lists its children.
	ID string `json:"id"`
	// Parent is the ID of the node it was listed under.
	Parent string `json:"parent"`
	// Name is the node's protocol name (an OPC UA browse name such as
	// "2:Temperature"); DisplayName is what a person is shown.
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	// Class is the protocol's kind of node: "Object", "Variable",
	// "Method"… for OPC UA.
	Class string `json:"class"`
	// DataType is the protocol's data type of a value node ("Double").
	DataType string `json:"data_type,omitempty"`
	// Depth is 1 for Root's children, 2 for theirs, and so on.
	Depth int `json:"depth"`
	// Point is the point a user gets by adding this node, or nil when the
	// node holds no value a point can carry (a folder, a method, an
	// unsupported data type).
	Point *BrowsePoint `json:"point,omitempty"`
}

// BrowsePoint is the point suggested for a node: its IOTOS type, its access
// when the device says it, and the driver's point config that addresses it.
type BrowsePoint struct {
	Type   Type            `json:"type"`
	Access Access          `json:"access,omitempty"`
	Config json.RawMessage `json:"config"`
}
