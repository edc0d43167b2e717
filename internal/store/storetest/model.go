package storetest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

func testGatewayCRUD(t *testing.T, s store.Store) {
	c := ctx(t)
	g := newGateway(1)
	g.Raw = json.RawMessage(`{"legacy":7}`)
	must(t, s.CreateGateway(c, g, []byte("k1")))
	got, err := s.GetGateway(c, g.ID)
	must(t, err)
	if got.ID != g.ID || got.Name != g.Name || got.Description != g.Description || got.Location != g.Location {
		t.Fatalf("GetGateway = %+v, want %+v", got, g)
	}
	if !bytes.Equal(got.Raw, g.Raw) || got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		t.Fatalf("GetGateway raw %s created %v updated %v", got.Raw, got.CreatedAt, got.UpdatedAt)
	}
	wantConflict(t, s.CreateGateway(c, g, nil), "duplicate gateway ID")
	dupName := newGateway(2)
	dupName.Name = g.Name
	wantConflict(t, s.CreateGateway(c, dupName, nil), "duplicate gateway name")
	must(t, s.CreateGateway(c, newGateway(2), nil))

	g.Name, g.Description, g.Raw = "renamed", "new", nil
	must(t, s.UpdateGateway(c, g))
	got, err = s.GetGateway(c, g.ID)
	must(t, err)
	if got.Name != "renamed" || got.Description != "new" || string(got.Raw) != `{"legacy":7}` {
		t.Fatalf("after update: %+v raw %s (nil Raw must keep the stored one)", got, got.Raw)
	}
	g2 := newGateway(2)
	g2.Name = "renamed"
	wantConflict(t, s.UpdateGateway(c, g2), "rename onto an existing name")

	list, err := s.ListGateways(c)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("ListGateways returned %d, want 2", len(list))
	}
	_, err = s.GetGateway(c, gwID(9))
	wantCode(t, err, codes.IONodeNotExist, "get missing gateway")
	wantCode(t, s.UpdateGateway(c, newGateway(9)), codes.IONodeNotExist, "update missing gateway")
	wantCode(t, s.DeleteGateway(c, gwID(9)), codes.IONodeNotExist, "delete missing gateway")
	must(t, s.DeleteGateway(c, g.ID))
	_, err = s.GetGateway(c, g.ID)
	wantCode(t, err, codes.IONodeNotExist, "get deleted gateway")
}

func testGatewayKey(t *testing.T, s store.Store) {
	c := ctx(t)
	must(t, s.CreateGateway(c, newGateway(1), []byte("first")))
	h, err := s.GatewayKeyHash(c, gwID(1))
	must(t, err)
	if string(h) != "first" {
		t.Fatalf("key hash %q, want first", h)
	}
	must(t, s.SetGatewayKey(c, gwID(1), []byte("second")))
	h, err = s.GatewayKeyHash(c, gwID(1))
	must(t, err)
	if string(h) != "second" {
		t.Fatalf("key hash after rotation %q, want second", h)
	}
	must(t, s.UpdateGateway(c, newGateway(1)))
	if h, _ = s.GatewayKeyHash(c, gwID(1)); string(h) != "second" {
		t.Fatalf("UpdateGateway changed the key hash to %q", h)
	}
	_, err = s.GatewayKeyHash(c, gwID(2))
	wantCode(t, err, codes.IONodeNotExist, "key of missing gateway")
	wantCode(t, s.SetGatewayKey(c, gwID(2), []byte("x")), codes.IONodeNotExist, "rotate missing gateway")
}

func testDeviceCRUD(t *testing.T, s store.Store) {
	c := ctx(t)
	wantCode(t, s.CreateDevice(c, newDevice(1, 1)), codes.IONodeNotExist, "device under missing gateway")
	must(t, s.CreateGateway(c, newGateway(1), nil))
	must(t, s.CreateGateway(c, newGateway(2), nil))
	d := newDevice(1, 1)
	d.Parent, d.Subscribe, d.Template = devID(5), []string{"0000000a.*", "0000000b.0001"}, "tpl"
	d.Raw = json.RawMessage(`{"x":[1,2]}`)
	must(t, s.CreateDevice(c, d))
	got, err := s.GetDevice(c, d.Gateway, d.ID)
	must(t, err)
	if got.Name != d.Name || got.Driver != d.Driver || !got.Enabled || got.Parent != d.Parent || got.Template != d.Template ||
		string(got.Config) != string(d.Config) || string(got.Raw) != string(d.Raw) ||
		len(got.Subscribe) != 2 || got.Subscribe[1] != d.Subscribe[1] {
		t.Fatalf("GetDevice = %+v, want %+v", got, d)
	}
	wantConflict(t, s.CreateDevice(c, d), "duplicate device ID")
	dupName := newDevice(1, 2)
	dupName.Name = d.Name
	wantConflict(t, s.CreateDevice(c, dupName), "duplicate device name")
	other := newDevice(2, 1) // same ID and name in another gateway
	must(t, s.CreateDevice(c, other))

	d.Name, d.Enabled, d.Config, d.Subscribe, d.Raw = "renamed", false, json.RawMessage(`{"seed":2}`), nil, nil
	must(t, s.UpdateDevice(c, d))
	got, err = s.GetDevice(c, d.Gateway, d.ID)
	must(t, err)
	if got.Name != "renamed" || got.Enabled || string(got.Config) != `{"seed":2}` || got.Subscribe != nil || string(got.Raw) != `{"x":[1,2]}` {
		t.Fatalf("after update: %+v", got)
	}
	must(t, s.CreateDevice(c, newDevice(1, 2)))
	clash := newDevice(1, 2)
	clash.Name = "renamed"
	wantConflict(t, s.UpdateDevice(c, clash), "rename onto an existing device name")

	_, err = s.GetDevice(c, gwID(1), devID(9))
	wantCode(t, err, codes.DeviceNotExist, "get missing device")
	_, err = s.GetDevice(c, gwID(9), devID(1))
	wantCode(t, err, codes.IONodeNotExist, "get device of missing gateway")
	wantCode(t, s.UpdateDevice(c, newDevice(1, 9)), codes.DeviceNotExist, "update missing device")
	wantCode(t, s.DeleteDevice(c, gwID(1), devID(9)), codes.DeviceNotExist, "delete missing device")
	_, err = s.ListDevices(c, gwID(9))
	wantCode(t, err, codes.IONodeNotExist, "list devices of missing gateway")
	must(t, s.DeleteDevice(c, gwID(1), devID(1)))
	list, err := s.ListDevices(c, gwID(1))
	must(t, err)
	if len(list) != 1 || list[0].ID != devID(2) {
		t.Fatalf("after delete ListDevices = %+v", list)
	}
}

func testPointCRUD(t *testing.T, s store.Store) {
	c := ctx(t)
	must(t, s.CreateGateway(c, newGateway(1), nil))
	wantCode(t, s.CreatePoint(c, newPoint(1, 1, 1)), codes.DeviceNotExist, "point under missing device")
	wantCode(t, s.CreatePoint(c, newPoint(2, 1, 1)), codes.IONodeNotExist, "point under missing gateway")
	must(t, s.CreateDevice(c, newDevice(1, 1)))
	must(t, s.CreateDevice(c, newDevice(1, 2)))
	p := newPoint(1, 1, 1)
	must(t, s.CreatePoint(c, p))
	wantConflict(t, s.CreatePoint(c, p), "duplicate point ID")
	dupName := newPoint(1, 1, 2)
	dupName.Name = p.Name
	wantConflict(t, s.CreatePoint(c, dupName), "duplicate point name")
	must(t, s.CreatePoint(c, newPoint(1, 2, 1))) // same ID and name in another device

	p.Name, p.Unit = "temp", "°C"
	must(t, s.UpdatePoint(c, p))
	got, err := s.GetPoint(c, p.Gateway, p.Device, p.ID)
	must(t, err)
	if got.Name != "temp" || got.Unit != "°C" {
		t.Fatalf("after update: %+v", got)
	}
	_, err = s.GetPoint(c, gwID(1), devID(1), ptID(9))
	wantCode(t, err, codes.DataNotExist, "get missing point")
	_, err = s.GetPoint(c, gwID(1), devID(9), ptID(1))
	wantCode(t, err, codes.DeviceNotExist, "get point of missing device")
	_, err = s.GetPoint(c, gwID(9), devID(1), ptID(1))
	wantCode(t, err, codes.IONodeNotExist, "get point of missing gateway")
	wantCode(t, s.UpdatePoint(c, newPoint(1, 1, 9)), codes.DataNotExist, "update missing point")
	wantCode(t, s.DeletePoint(c, gwID(1), devID(1), ptID(9)), codes.DataNotExist, "delete missing point")
	_, err = s.ListPoints(c, gwID(1), devID(9))
	wantCode(t, err, codes.DeviceNotExist, "list points of missing device")
	must(t, s.DeletePoint(c, gwID(1), devID(1), ptID(1)))
	list, err := s.ListPoints(c, gwID(1), devID(1))
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("after delete ListPoints = %+v", list)
	}
}

func testPointFields(t *testing.T, s store.Store) {
	c := ctx(t)
	seed(t, s, 1, 1, 0)
	lo, hi := -5.5, 100.0
	p := model.Point{ID: ptID(1), Gateway: gwID(1), Device: devID(1), Name: "level", Description: "tank level",
		Type: driver.Int, Access: driver.ReadWrite, Unit: "mm", Min: &lo, Max: &hi, Default: int64(1) << 60,
		Deadband: 0.5, IntervalMS: 250, Expr: "x * 2", Config: json.RawMessage(`{"address":40001}`),
		Proxy: &driver.Proxy{Pointer: "0002", Index: 3}, Parent: "0003", Disabled: true,
		Raw: json.RawMessage(`{"valuetype":"INT","id":17}`)}
	must(t, s.CreatePoint(c, p))
	s2 := model.Point{ID: ptID(2), Gateway: gwID(1), Device: devID(1), Name: "label", Type: driver.String,
		Access: driver.Read, Default: "idle", Pattern: "^[a-z]+$"}
	must(t, s.CreatePoint(c, s2))
	b := model.Point{ID: ptID(3), Gateway: gwID(1), Device: devID(1), Name: "on", Type: driver.Bool, Access: driver.Write, Default: true}
	must(t, s.CreatePoint(c, b))

	got, err := s.GetPoint(c, gwID(1), devID(1), ptID(1))
	must(t, err)
	if got.Name != p.Name || got.Description != p.Description || got.Type != p.Type || got.Access != p.Access ||
		got.Unit != p.Unit || got.Min == nil || *got.Min != lo || got.Max == nil || *got.Max != hi ||
		got.Deadband != p.Deadband || got.IntervalMS != p.IntervalMS || got.Expr != p.Expr || got.Parent != p.Parent ||
		!got.Disabled || string(got.Config) != string(p.Config) || string(got.Raw) != string(p.Raw) ||
		got.Proxy == nil || *got.Proxy != *p.Proxy {
		t.Fatalf("GetPoint = %+v, want %+v", got, p)
	}
	if v, ok := got.Default.(int64); !ok || v != 1<<60 {
		t.Fatalf("INT default = %v (%T), want int64 %d", got.Default, got.Default, int64(1)<<60)
	}
	got, err = s.GetPoint(c, gwID(1), devID(1), ptID(2))
	must(t, err)
	if got.Default != "idle" || got.Pattern != s2.Pattern || got.Min != nil || got.Proxy != nil || got.Config != nil {
		t.Fatalf("STRING point = %+v", got)
	}
	got, err = s.GetPoint(c, gwID(1), devID(1), ptID(3))
	must(t, err)
	if got.Default != true {
		t.Fatalf("BOOL default = %v (%T)", got.Default, got.Default)
	}
}

func testCascade(t *testing.T, s store.Store) {
	c := ctx(t)
	seed(t, s, 1, 2, 2)
	seed(t, s, 2, 1, 1)
	must(t, s.SaveLastValues(c, []model.Sample{
		{ID: fullID(1, 1, 1), Value: 1.0, TS: 10, Quality: driver.Good},
		{ID: fullID(1, 2, 1), Value: 2.0, TS: 10, Quality: driver.Good},
		{ID: fullID(2, 1, 1), Value: 3.0, TS: 10, Quality: driver.Good},
	}))
	must(t, s.DeleteDevice(c, gwID(1), devID(1)))
	_, err := s.ListPoints(c, gwID(1), devID(1))
	wantCode(t, err, codes.DeviceNotExist, "points of a deleted device")
	wantLastValueIDs(t, s, fullID(1, 2, 1), fullID(2, 1, 1))

	must(t, s.DeleteGateway(c, gwID(1)))
	_, err = s.ListDevices(c, gwID(1))
	wantCode(t, err, codes.IONodeNotExist, "devices of a deleted gateway")
	_, err = s.GetPoint(c, gwID(1), devID(2), ptID(1))
	wantCode(t, err, codes.IONodeNotExist, "point of a deleted gateway")
	_, err = s.GatewayKeyHash(c, gwID(1))
	wantCode(t, err, codes.IONodeNotExist, "key of a deleted gateway")
	wantLastValueIDs(t, s, fullID(2, 1, 1))
	// A gateway with the same ID starts empty.
	must(t, s.CreateGateway(c, newGateway(1), nil))
	tbl, err := s.GetTable(c, gwID(1))
	must(t, err)
	if len(tbl.Devices) != 0 {
		t.Fatalf("re-created gateway has %d devices", len(tbl.Devices))
	}
}

func wantLastValueIDs(t *testing.T, s store.Store, ids ...string) {
	t.Helper()
	vals, err := s.LastValues(ctx(t))
	must(t, err)
	got := map[string]bool{}
	for _, v := range vals {
		got[v.ID] = true
	}
	if len(got) != len(ids) {
		t.Fatalf("last values %v, want %v", got, ids)
	}
	for _, id := range ids {
		if !got[id] {
			t.Fatalf("last values %v, want %v", got, ids)
		}
	}
}

func testTableOrder(t *testing.T, s store.Store) {
	c := ctx(t)
	must(t, s.CreateGateway(c, newGateway(1), nil))
	devOrder := []int{7, 3, 9}
	ptOrder := []int{0xf0, 0x01, 0x80, 0x10}
	for _, d := range devOrder {
		must(t, s.CreateDevice(c, newDevice(1, d)))
		for _, p := range ptOrder {
			must(t, s.CreatePoint(c, newPoint(1, d, p)))
		}
	}
	tbl, err := s.GetTable(c, gwID(1))
	must(t, err)
	if tbl.Gateway.ID != gwID(1) || len(tbl.Devices) != len(devOrder) {
		t.Fatalf("table has gateway %s and %d devices", tbl.Gateway.ID, len(tbl.Devices))
	}
	for i, dt := range tbl.Devices {
		if dt.Device.ID != devID(devOrder[i]) {
			t.Fatalf("device %d is %s, want %s", i, dt.Device.ID, devID(devOrder[i]))
		}
		checkPointOrder(t, dt.Points, ptOrder)
	}
	devs, err := s.ListDevices(c, gwID(1))
	must(t, err)
	for i, d := range devs {
		if d.ID != devID(devOrder[i]) {
			t.Fatalf("ListDevices[%d] = %s, want %s", i, d.ID, devID(devOrder[i]))
		}
	}
	// An update does not move a point.
	p := newPoint(1, 7, 0xf0)
	p.Unit = "bar"
	must(t, s.UpdatePoint(c, p))
	pts, err := s.ListPoints(c, gwID(1), devID(7))
	must(t, err)
	checkPointOrder(t, pts, ptOrder)
	_, err = s.GetTable(c, gwID(2))
	wantCode(t, err, codes.IONodeNotExist, "table of missing gateway")
}

func checkPointOrder(t *testing.T, pts []model.Point, order []int) {
	t.Helper()
	if len(pts) != len(order) {
		t.Fatalf("%d points, want %d", len(pts), len(order))
	}
	for j, p := range pts {
		if p.ID != ptID(order[j]) {
			t.Fatalf("point %d is %s, want %s", j, p.ID, ptID(order[j]))
		}
	}
}
