package app

import (
	"context"
	"reflect"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// scaleTB is a small table with a parent and a child device, enough to check
// what an engine is served after an import.
const scaleTB = `{"name":"site","properties":{
 "0000000a":{"name":"base","config":{"driver":"simulator","param":{"seed":1}},"data":{
  "0001":{"name":"t","valuetype":"FLOAT","readwrite":"1","refreshcycle":"1000"},
  "0002":{"name":"n","valuetype":"INT","readwrite":"0","refreshcycle":"1000"}}},
 "0000000b":{"name":"child","config":{"driver":"simulator","parentId":"0000000a","param":{"latency":"1ms"}},"data":{
  "0001":{"name":"b","valuetype":"BOOL","readwrite":"1","refreshcycle":"2000"}}}}}`

// freshIndex is the index computed from the stored table, bypassing the
// cache.
func freshIndex(t *testing.T, a *App, gw string) []bus.DeviceVersion {
	t.Helper()
	tb, err := a.store.GetTable(context.Background(), gw)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := tableIndex(tb)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func TestImportLeavesTheIndexAndPointsReady(t *testing.T) {
	a, _ := newApp(t, nil)
	ctx := context.Background()
	g, err := a.CreateGateway(ctx, admin, GatewayInput{Name: "site"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ImportTable(ctx, admin, g.ID, []byte(scaleTB), false); err != nil {
		t.Fatal(err)
	}
	a.known.mu.RLock()
	primed, types := a.known.idx[g.ID], a.known.gw[g.ID]
	a.known.mu.RUnlock()
	if typ, _ := types.lookup("0000000b.0001"); len(primed) != 2 || types.len() != 3 || typ != "BOOL" {
		t.Fatalf("after the import the cache holds index %+v and points %v", primed, types)
	}
	idx, err := a.TableIndex(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := freshIndex(t, a, g.ID); !reflect.DeepEqual(idx.Devices, want) {
		t.Fatalf("index served %+v, computed from the store %+v", idx.Devices, want)
	}
	for _, dv := range idx.Devices {
		dt, err := a.DeviceTable(ctx, g.ID, dv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dt.Version != dv.Version {
			t.Fatalf("device %s: table version %s, index %s", dv.ID, dt.Version, dv.Version)
		}
	}
	child, err := a.DeviceTable(ctx, g.ID, "0000000b")
	if err != nil {
		t.Fatal(err)
	}
	if len(child.Points) != 1 || string(child.ParentConfig) != `{"latency":"1ms","seed":1}` {
		t.Fatalf("child table: %d points, merged config %s", len(child.Points), child.ParentConfig)
	}

	// A later change drops the cached index; the next one is computed
	// from the store and shows the change.
	p, err := a.GetPoint(ctx, g.ID, "0000000a", "0001")
	if err != nil {
		t.Fatal(err)
	}
	p.Unit = "°C"
	if _, err := a.UpdatePoint(ctx, admin, g.ID, "0000000a", "0001", p); err != nil {
		t.Fatal(err)
	}
	after, err := a.TableIndex(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Devices[0].Version == idx.Devices[0].Version || after.Devices[1].Version != idx.Devices[1].Version {
		t.Fatalf("after a point edit the index went from %+v to %+v", idx.Devices, after.Devices)
	}
	if want := freshIndex(t, a, g.ID); !reflect.DeepEqual(after.Devices, want) {
		t.Fatalf("index served %+v, computed from the store %+v", after.Devices, want)
	}
}

func TestPrimeIgnoresAStaleGeneration(t *testing.T) {
	k := newKnownPoints()
	tb := model.Table{Gateway: model.Gateway{ID: "g"}, Devices: []model.DeviceTable{{Device: model.Device{ID: "0000000a"},
		Points: []model.Point{{ID: "0001", Type: "INT"}}}}}
	idx := []bus.DeviceVersion{{ID: "0000000a", Version: "v1"}}
	gen := k.generation()
	k.forgetGateway("g") // a change that came between the import and its prime
	k.prime(tb, idx, gen)
	if _, ok := k.idx["g"]; ok {
		t.Fatal("a stale prime was kept")
	}
	k.prime(tb, idx, k.generation())
	if got, typ := k.idx["g"], typeOf(k.gw["g"], "0000000a.0001"); !reflect.DeepEqual(got, idx) || typ != "INT" {
		t.Fatalf("a current prime was not kept: %+v %v", got, k.gw["g"])
	}
}

func TestDeviceTableOfMissingObjects(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	if _, err := a.DeviceTable(ctx, f.gw, "0000ffff"); codes.Of(err) != codes.DeviceNotExist {
		t.Fatalf("missing device: %v", err)
	}
	if _, err := a.DeviceTable(ctx, "ffffffffffffffffffffffffffffffff", f.dev); codes.Of(err) != codes.IONodeNotExist {
		t.Fatalf("missing gateway: %v", err)
	}
}
