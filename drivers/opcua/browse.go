package opcua

import (
	"context"
	"strconv"
	"strings"

	"github.com/gopcua/opcua/id"
	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// Browse limits: deep enough for real address spaces, small enough that a
// console request cannot walk a whole server.
const (
	maxBrowseDepth = 16
	maxBrowseNodes = 10000
)

// objectsFolder (i=85) is where a server's own nodes start; Browse starts
// there when no root is given.
const objectsFolder = "i=85"

// Node is one node of the server's address space as Browse lists it. ID is
// what a point's "node" config takes.
type Node struct {
	ID          string `json:"id"`
	Parent      string `json:"parent"`
	BrowseName  string `json:"browse_name"` // "2:Temperature": namespace index and name
	DisplayName string `json:"display_name"`
	Class       string `json:"class"`               // Object, Variable, Method, ObjectType…
	DataType    string `json:"data_type,omitempty"` // variables: Double, Int32, … or the type's node ID
	Access      string `json:"access,omitempty"`    // variables: r, w or rw for this session's user
	Depth       int    `json:"depth"`               // 1 for the root's children
}

// Nodes lists the nodes below root (a node ID; empty means the Objects
// folder) following hierarchical references, depth levels deep (at least 1),
// parents before children. Each level is one Browse request, and the data
// types and access levels of its variables one Read request.
func (d *OPCUA) Nodes(ctx context.Context, root string, depth int) ([]Node, error) {
	if root == "" {
		root = objectsFolder
	}
	start, err := ua.ParseNodeID(root)
	if err != nil {
		return nil, argError("device %s browse: root %q: %v", d.devID, root, err)
	}
	depth = min(max(depth, 1), maxBrowseDepth)
	l := d.current()
	if l == nil {
		return nil, driver.Errorf(driver.CodeNetError, "device %s browse: %v", d.devID, errNotConnected)
	}
	b := &browser{d: d, l: l, seen: map[string]bool{start.String(): true}}
	level := []*ua.NodeID{start}
	var out []Node
	for n := 1; n <= depth && len(level) > 0; n++ {
		nodes, next, err := b.level(ctx, level, n)
		if err != nil {
			return nil, err
		}
		out = append(out, nodes...)
		if len(out) > maxBrowseNodes {
			return nil, argError("device %s browse %s: more than %d nodes; browse from a deeper root or fewer levels", d.devID, root, maxBrowseNodes)
		}
		level = next
	}
	return out, nil
}

// browser walks one address space; seen stops reference cycles.
type browser struct {
	d    *OPCUA
	l    *link
	seen map[string]bool
}

// level browses the children of parents and returns them with the node IDs
// to browse next.
func (b *browser) level(ctx context.Context, parents []*ua.NodeID, depth int) ([]Node, []*ua.NodeID, error) {
	results, err := b.browse(ctx, parents)
	if err != nil {
		return nil, nil, err
	}
	var nodes []Node
	var next, variables []*ua.NodeID
	var varIdx []int
	for i, refs := range results {
		for _, r := range refs {
			if r.NodeID == nil || r.NodeID.NodeID == nil || r.NodeID.ServerIndex != 0 {
				continue
			}
			key := r.NodeID.NodeID.String()
			if b.seen[key] {
				continue
			}
			b.seen[key] = true
			nodes = append(nodes, describe(r, parents[i], depth))
			next = append(next, r.NodeID.NodeID)
			if r.NodeClass == ua.NodeClassVariable {
				variables = append(variables, r.NodeID.NodeID)
				varIdx = append(varIdx, len(nodes)-1)
			}
		}
	}
	if err := b.attributes(ctx, nodes, variables, varIdx); err != nil {
		return nil, nil, err
	}
	return nodes, next, nil
}

func describe(r *ua.ReferenceDescription, parent *ua.NodeID, depth int) Node {
	n := Node{
		ID:     r.NodeID.NodeID.String(),
		Parent: parent.String(),
		Class:  strings.TrimPrefix(r.NodeClass.String(), "NodeClass"),
		Depth:  depth,
	}
	if r.BrowseName != nil {
		n.BrowseName = qualified(r.BrowseName)
	}
	if r.DisplayName != nil {
		n.DisplayName = r.DisplayName.Text
	}
	return n
}

func qualified(q *ua.QualifiedName) string {
	if q.NamespaceIndex == 0 {
		return q.Name
	}
	return strconv.Itoa(int(q.NamespaceIndex)) + ":" + q.Name
}

// browse sends one Browse request for every parent and follows the
// continuation points the server hands out for long reference lists.
func (b *browser) browse(ctx context.Context, parents []*ua.NodeID) ([][]*ua.ReferenceDescription, error) {
	what := "device " + b.d.devID + " browse"
	req := &ua.BrowseRequest{View: &ua.ViewDescription{ViewID: ua.NewTwoByteNodeID(0)}}
	for _, p := range parents {
		req.NodesToBrowse = append(req.NodesToBrowse, &ua.BrowseDescription{
			NodeID:          p,
			BrowseDirection: ua.BrowseDirectionForward,
			ReferenceTypeID: ua.NewNumericNodeID(0, id.HierarchicalReferences),
			IncludeSubtypes: true,
			NodeClassMask:   uint32(ua.NodeClassAll),
			ResultMask:      uint32(ua.BrowseResultMaskAll),
		})
	}
	resp, err := b.l.client.Browse(ctx, req)
	if err != nil {
		return nil, requestError(ctx, what, err)
	}
	if len(resp.Results) != len(parents) {
		return nil, driver.Errorf(driver.CodeNetError, "%s: %d results for %d nodes", what, len(resp.Results), len(parents))
	}
	out := make([][]*ua.ReferenceDescription, len(parents))
	for i, r := range resp.Results {
		if isBad(r.StatusCode) {
			return nil, statusError(what+" "+parents[i].String(), r.StatusCode)
		}
		refs, err := b.rest(ctx, r, what)
		if err != nil {
			return nil, err
		}
		out[i] = refs
	}
	return out, nil
}

// rest collects a result's references, asking for the remainder while the
// server returns a continuation point.
func (b *browser) rest(ctx context.Context, r *ua.BrowseResult, what string) ([]*ua.ReferenceDescription, error) {
	refs := r.References
	cp := r.ContinuationPoint
	for len(cp) > 0 {
		resp, err := b.l.client.BrowseNext(ctx, &ua.BrowseNextRequest{ContinuationPoints: [][]byte{cp}})
		if err != nil {
			return nil, requestError(ctx, what, err)
		}
		if len(resp.Results) != 1 || isBad(resp.Results[0].StatusCode) {
			return nil, driver.Errorf(CodeBadStatus, "%s: continuation refused", what)
		}
		refs = append(refs, resp.Results[0].References...)
		cp = resp.Results[0].ContinuationPoint
	}
	return refs, nil
}

// attributes fills in the data type and the user's access level of the
// variables, both in one Read request.
func (b *browser) attributes(ctx context.Context, nodes []Node, variables []*ua.NodeID, idx []int) error {
	if len(variables) == 0 {
		return nil
	}
	what := "device " + b.d.devID + " browse attributes"
	req := &ua.ReadRequest{}
	for _, v := range variables {
		req.NodesToRead = append(req.NodesToRead,
			&ua.ReadValueID{NodeID: v, AttributeID: ua.AttributeIDDataType},
			&ua.ReadValueID{NodeID: v, AttributeID: ua.AttributeIDUserAccessLevel})
	}
	resp, err := b.l.client.Read(ctx, req)
	if err != nil {
		return requestError(ctx, what, err)
	}
	for i, r := range resp.Results {
		if i/2 >= len(idx) || isBad(r.Status) || r.Value == nil {
			continue
		}
		n := &nodes[idx[i/2]]
		if i%2 == 0 {
			n.DataType = typeName(r.Value.NodeID())
			continue
		}
		if level, ok := r.Value.Value().(uint8); ok {
			n.Access = accessOf(level)
		}
	}
	return nil
}

// accessOf turns an access level's CurrentRead and CurrentWrite bits into
// a point's access; a variable that allows neither gets "".
func accessOf(level uint8) string {
	read := level&uint8(ua.AccessLevelTypeCurrentRead) != 0
	write := level&uint8(ua.AccessLevelTypeCurrentWrite) != 0
	switch {
	case read && write:
		return string(driver.ReadWrite)
	case read:
		return string(driver.Read)
	case write:
		return string(driver.Write)
	}
	return ""
}

// typeName names a data type: standard types by name, others by node ID.
func typeName(n *ua.NodeID) string {
	if n == nil {
		return ""
	}
	if n.Namespace() == 0 {
		if name := id.Name(n.IntID()); name != "" {
			return name
		}
	}
	return n.String()
}
