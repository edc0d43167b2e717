package opcua

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// TestNodes lists the test server's Plant object two levels deep and the
// Objects folder one level deep.
func TestNodes(t *testing.T) {
	srv := sharedServer(t)
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint()},
		point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0)))

	nodes, err := d.Nodes(testCtx(t), "ns=2;s=Plant", 2)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Node{}
	for _, n := range nodes {
		got[n.ID] = n
	}
	want := []Node{
		{ID: "ns=2;s=Temperature", Parent: "ns=2;s=Plant", BrowseName: "2:Temperature", DisplayName: "Temperature", Class: "Variable", DataType: "Double", Access: "r", Depth: 1},
		{ID: "ns=2;s=Count", Parent: "ns=2;s=Plant", BrowseName: "2:Count", DisplayName: "Count", Class: "Variable", DataType: "Int32", Access: "rw", Depth: 1},
		{ID: "ns=2;s=Mode", Parent: "ns=2;s=Plant", BrowseName: "2:Mode", DisplayName: "Mode", Class: "Variable", DataType: "UInt16", Access: "rw", Depth: 1},
		{ID: "ns=2;s=Running", Parent: "ns=2;s=Plant", BrowseName: "2:Running", DisplayName: "Running", Class: "Variable", DataType: "Boolean", Access: "rw", Depth: 1},
		{ID: "ns=2;s=Label", Parent: "ns=2;s=Plant", BrowseName: "2:Label", DisplayName: "Label", Class: "Variable", DataType: "String", Access: "rw", Depth: 1},
		{ID: "ns=2;s=Limits", Parent: "ns=2;s=Plant", BrowseName: "2:Limits", DisplayName: "Limits", Class: "Object", Depth: 1},
		{ID: "ns=2;s=Limits.High", Parent: "ns=2;s=Limits", BrowseName: "2:Limits.High", DisplayName: "Limits.High", Class: "Variable", DataType: "Double", Access: "rw", Depth: 2},
	}
	for _, w := range want {
		if got[w.ID] != w {
			t.Errorf("node %s: %+v, want %+v", w.ID, got[w.ID], w)
		}
	}
	for i, n := range nodes {
		if i > 0 && n.Depth < nodes[i-1].Depth {
			t.Errorf("node %s at depth %d listed after depth %d: parents must come first", n.ID, n.Depth, nodes[i-1].Depth)
		}
	}

	top, err := d.Nodes(testCtx(t), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range top {
		if n.Depth != 1 {
			t.Errorf("depth 1 browse returned %+v", n)
		}
		found = found || n.ID == "ns=2;s=Plant"
	}
	if !found {
		t.Errorf("Objects folder lists %v, want ns=2;s=Plant among them", top)
	}

	if _, err := d.Nodes(testCtx(t), "ns=2;s=NoSuchNode", 1); err == nil {
		t.Error("browsing an unknown node succeeded")
	}
	if _, err := d.Nodes(testCtx(t), "not a node id", 1); err == nil {
		t.Error("browsing a malformed node ID succeeded")
	}
}
