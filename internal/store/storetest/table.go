package storetest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// replacement is gateway 1 rebuilt: device 2 (points 5, 1) then device 4
// (point 1); device 1 and points 2 are gone.
func replacement() model.Table {
	g := newGateway(1)
	g.Name, g.Raw = "rebuilt", json.RawMessage(`{"properties":null,"k":1}`)
	d2, d4 := newDevice(1, 2), newDevice(1, 4)
	return model.Table{Gateway: g, Devices: []model.DeviceTable{
		{Device: d2, Points: []model.Point{newPoint(1, 2, 5), newPoint(1, 2, 1)}},
		{Device: d4, Points: []model.Point{newPoint(1, 4, 1)}},
	}}
}

func testReplaceTable(t *testing.T, s store.Store) {
	c := ctx(t)
	seed(t, s, 1, 2, 2)
	must(t, s.SaveLastValues(c, []model.Sample{
		{ID: fullID(1, 1, 1), Value: 1.0, TS: 1, Quality: driver.Good},
		{ID: fullID(1, 2, 1), Value: 2.0, TS: 1, Quality: driver.Good},
		{ID: fullID(1, 2, 2), Value: 3.0, TS: 1, Quality: driver.Good},
	}))
	want := replacement()
	must(t, s.ReplaceTable(c, want))
	got, err := s.GetTable(c, gwID(1))
	must(t, err)
	if got.Gateway.Name != "rebuilt" || string(got.Gateway.Raw) != string(want.Gateway.Raw) {
		t.Fatalf("gateway after replace: %+v raw %s", got.Gateway, got.Gateway.Raw)
	}
	if ids := tableIDs(got); !reflect.DeepEqual(ids, tableIDs(want)) {
		t.Fatalf("table after replace %v, want %v", ids, tableIDs(want))
	}
	if h, _ := s.GatewayKeyHash(c, gwID(1)); string(h) != "hash" {
		t.Fatalf("ReplaceTable changed the key hash to %q", h)
	}
	wantLastValueIDs(t, s, fullID(1, 2, 1))
	_, err = s.GetDevice(c, gwID(1), devID(1))
	wantCode(t, err, codes.DeviceNotExist, "device dropped by replace")
	// New devices and points append after the replaced table.
	must(t, s.CreateDevice(c, newDevice(1, 8)))
	got, _ = s.GetTable(c, gwID(1))
	if last := got.Devices[len(got.Devices)-1].Device.ID; last != devID(8) {
		t.Fatalf("device created after replace is not last: %s", last)
	}
	missing := replacement()
	missing.Gateway.ID = gwID(5)
	wantCode(t, s.ReplaceTable(c, missing), codes.IONodeNotExist, "replace table of missing gateway")
}

func testReplaceTableAtomic(t *testing.T, s store.Store) {
	c := ctx(t)
	seed(t, s, 1, 2, 3)
	must(t, s.SaveLastValues(c, []model.Sample{{ID: fullID(1, 1, 1), Value: 1.0, TS: 1, Quality: driver.Good}}))
	before, err := s.GetTable(c, gwID(1))
	must(t, err)
	bad := replacement()
	dup := newPoint(1, 4, 2)
	dup.Name = bad.Devices[1].Points[0].Name // duplicate name in one device: the insert fails late
	bad.Devices[1].Points = append(bad.Devices[1].Points, dup)
	wantConflict(t, s.ReplaceTable(c, bad), "replace with duplicate point names")
	after, err := s.GetTable(c, gwID(1))
	must(t, err)
	if !reflect.DeepEqual(tableIDs(after), tableIDs(before)) || after.Gateway.Name != before.Gateway.Name {
		t.Fatalf("failed replace changed the table: %v, was %v", tableIDs(after), tableIDs(before))
	}
	wantLastValueIDs(t, s, fullID(1, 1, 1))
}

// tableIDs lists "dev" and "dev.pt" in table order.
func tableIDs(t model.Table) []string {
	var out []string
	for _, dt := range t.Devices {
		out = append(out, dt.Device.ID)
		for _, p := range dt.Points {
			out = append(out, dt.Device.ID+"."+p.ID)
		}
	}
	return out
}
