package opcua

import (
	"encoding/json"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// TestBrowser lists the Plant object through the SDK's Browser interface:
// each variable carries the point a user gets by adding it — its node ID as
// config, its type mapped from the node's data type, its access from the
// node's user access level — and an object carries none.
func TestBrowser(t *testing.T) {
	srv := sharedServer(t)
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint()},
		point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0)))
	var b driver.Browser = d

	nodes, err := b.Browse(testCtx(t), driver.BrowseRequest{Root: "ns=2;s=Plant"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]driver.BrowseNode{}
	for _, n := range nodes {
		if n.Depth != 1 || n.Parent != "ns=2;s=Plant" {
			t.Errorf("depth 0 (default 1) browse of Plant returned %+v", n)
		}
		got[n.ID] = n
	}
	want := map[string]struct {
		typ    driver.Type
		access driver.Access
	}{
		"ns=2;s=Temperature": {driver.Float, driver.Read},
		"ns=2;s=Setpoint":    {driver.Float, driver.ReadWrite},
		"ns=2;s=Count":       {driver.Int, driver.ReadWrite},
		"ns=2;s=Mode":        {driver.Int, driver.ReadWrite},
		"ns=2;s=Running":     {driver.Bool, driver.ReadWrite},
		"ns=2;s=Label":       {driver.String, driver.ReadWrite},
	}
	for id, w := range want {
		n, ok := got[id]
		if !ok {
			t.Errorf("%s not listed under Plant: %+v", id, nodes)
			continue
		}
		if n.Class != "Variable" || n.Point == nil {
			t.Errorf("%s: %+v, want a variable with a point", id, n)
			continue
		}
		if n.Point.Type != w.typ || n.Point.Access != w.access {
			t.Errorf("%s suggests type %s access %q, want %s %q", id, n.Point.Type, n.Point.Access, w.typ, w.access)
		}
		var cfg map[string]any
		if err := json.Unmarshal(n.Point.Config, &cfg); err != nil || len(cfg) != 1 || cfg["node"] != id {
			t.Errorf("%s suggests config %s, want {\"node\": %q}", id, n.Point.Config, id)
		}
		// The suggested config is one the driver accepts for a point.
		if _, err := compileTag(driver.Point{ID: "0001", Type: n.Point.Type, Access: n.Point.Access, Config: n.Point.Config}); err != nil {
			t.Errorf("%s: suggested config %s is refused: %v", id, n.Point.Config, err)
		}
	}
	if l := got["ns=2;s=Limits"]; l.Class != "Object" || l.DisplayName != "Limits" || l.Name != "2:Limits" || l.Point != nil {
		t.Errorf("Limits: %+v, want an object without a point", l)
	}

	// A malformed root is the driver's 105, an unknown one its 1201.
	_, err = b.Browse(testCtx(t), driver.BrowseRequest{Root: "ns=zz;i=1"})
	if e, ok := err.(*driver.Error); !ok || e.Code != driver.CodeArgError {
		t.Errorf("browsing a malformed root: %v, want code %d", err, driver.CodeArgError)
	}
	_, err = b.Browse(testCtx(t), driver.BrowseRequest{Root: "ns=2;s=NoSuchNode"})
	if e, ok := err.(*driver.Error); !ok || e.Code != CodeNodeUnknown {
		t.Errorf("browsing an unknown root: %v, want code %d", err, CodeNodeUnknown)
	}
}

// TestSuggestPoint covers the data types the test server does not have.
func TestSuggestPoint(t *testing.T) {
	for _, c := range []struct {
		node Node
		want driver.Type // "" = no point
	}{
		{Node{ID: "i=2258", Class: "Variable", DataType: "UtcTime", Access: "r"}, driver.String},
		{Node{ID: "ns=3;i=7", Class: "Variable", DataType: "Float"}, driver.Float},
		{Node{ID: "ns=3;i=8", Class: "Variable", DataType: "UInt64"}, driver.Int},
		{Node{ID: "ns=3;i=9", Class: "Variable", DataType: "ByteString"}, ""},
		{Node{ID: "ns=3;i=10", Class: "Variable", DataType: "ns=3;i=3001"}, ""},
		{Node{ID: "ns=3;i=11", Class: "Variable"}, ""},
		{Node{ID: "ns=3;i=12", Class: "Method", DataType: "Double"}, ""},
	} {
		p := suggestPoint(c.node)
		switch {
		case c.want == "" && p != nil:
			t.Errorf("%+v suggests %+v, want no point", c.node, p)
		case c.want != "" && (p == nil || p.Type != c.want || p.Access != driver.Access(c.node.Access)):
			t.Errorf("%+v suggests %+v, want type %s", c.node, p, c.want)
		}
	}
}
