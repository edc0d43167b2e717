package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// browseTB is an OPC UA device with no points yet, the state browsing is
// for, and a simulator device, whose driver cannot browse.
const browseTB = `{
  "name": "opcua-browse",
  "properties": {
    "4e000001": {
      "name": "plc",
      "config": {"driver": "opcua", "param": {"endpoint": "ENDPOINT", "timeout": "2s"}},
      "data": {}
    },
    "4e000002": {
      "name": "sim",
      "config": {"driver": "simulator", "param": {}},
      "data": {}
    }
  }
}`

// browseNode is a node as POST …/browse returns it.
type browseNode struct {
	ID          string `json:"id"`
	Parent      string `json:"parent"`
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Class       string `json:"class"`
	DataType    string `json:"data_type"`
	Depth       int    `json:"depth"`
	Point       *struct {
		Type   string          `json:"type"`
		Access string          `json:"access"`
		Config json.RawMessage `json:"config"`
	} `json:"point"`
}

// TestBrowseDeviceThroughThePlatform browses a real OPC UA server (node-opcua)
// through the real binaries — REST → platform → NATS → engine → driver —
// creates a point from what a browsed node suggests, and sees its value
// polled; a driver that cannot browse, an unknown node and a bad depth get
// their codes.
func TestBrowseDeviceThroughThePlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	requireOPCUAServer(t)
	srv := startOPCUAServer(t, opcuaPort(t), t.TempDir())
	c, gw := runGatewayEngine(t, "opcua-browse", strings.Replace(browseTB, "ENDPOINT", srv.endpoint(), 1))
	plc := "/api/v1/gateways/" + gw + "/devices/4e000001"

	// The top: the Objects folder's children, Plant among them, one level.
	var top []browseNode
	eventually(t, 60*time.Second, "the engine to browse the device", func() bool {
		_, env := c.do("POST", plc+"/browse", nil)
		return env.Code == 0 && json.Unmarshal(env.Data, &top) == nil
	})
	found := false
	for _, n := range top {
		if n.Depth != 1 || n.Parent != "i=85" {
			t.Errorf("top-level browse returned %+v", n)
		}
		found = found || (n.ID == "ns=2;s=Plant" && n.Class == "Object" && n.DisplayName == "Plant" && n.Point == nil)
	}
	if !found {
		t.Fatalf("Objects lists %+v, want the Plant object", top)
	}

	// Two levels below Plant, each variable with the point it makes.
	var nodes []browseNode
	c.ok("POST", plc+"/browse", map[string]any{"root": "ns=2;s=Plant", "depth": 2}, &nodes)
	byID := map[string]browseNode{}
	for _, n := range nodes {
		byID[n.ID] = n
	}
	for id, want := range map[string][2]string{
		"ns=2;s=Temperature": {"FLOAT", "r"}, "ns=2;s=Count": {"INT", "rw"}, "ns=2;s=Running": {"BOOL", "rw"},
		"ns=2;s=Label": {"STRING", "rw"}, "ns=2;s=Limits.High": {"FLOAT", "rw"},
	} {
		n := byID[id]
		if n.Point == nil || n.Point.Type != want[0] || n.Point.Access != want[1] {
			t.Errorf("%s: %+v (point %+v), want a %s %s point", id, n, n.Point, want[0], want[1])
		}
	}
	if h := byID["ns=2;s=Limits.High"]; h.Depth != 2 || h.Parent != "ns=2;s=Limits" {
		t.Errorf("Limits.High listed as %+v, want depth 2 under Limits", h)
	}

	// The suggestion is a point as it stands: create it, and the engine
	// reads it from the server.
	count := byID["ns=2;s=Count"]
	var pt struct {
		ID string `json:"id"`
	}
	c.ok("POST", plc+"/points", map[string]any{
		"name": count.DisplayName, "type": count.Point.Type, "access": count.Point.Access,
		"interval_ms": 200, "config": count.Point.Config,
	}, &pt)
	eventually(t, 60*time.Second, "the browsed Count node's value on the platform", func() bool {
		s := currentValue(t, c, gw+".4e000001."+pt.ID)
		return s.Quality == "good" && s.Value == 42.0
	})

	c.expectCode(515, http.StatusBadRequest, "POST", "/api/v1/gateways/"+gw+"/devices/4e000002/browse", nil)
	c.expectCode(1201, 0, "POST", plc+"/browse", map[string]any{"root": "ns=2;s=NoSuchNode"})
	c.expectCode(105, http.StatusBadRequest, "POST", plc+"/browse", map[string]any{"depth": 17})
	c.expectCode(109, http.StatusNotFound, "POST", "/api/v1/gateways/"+gw+"/devices/4e0000ff/browse", nil)
}
