package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// tbFor is a small legacy table for gateway gw: one device, two points.
func tbFor(gw, secondType, secondName string) []byte {
	return []byte(fmt.Sprintf(`{"id": %q, "name": "site", "properties": {
  "2b2b2b2b": {"name": "meter", "config": {"driver": "simulator", "param": {}}, "data": {
    "0b01": {"name": "power", "valuetype": "FLOAT", "readwrite": "1", "refreshcycle": "1000", "config": {"param": {}}},
    "0b02": {"name": %q, "valuetype": %q, "readwrite": "0", "refreshcycle": "0", "config": {"param": {}}}
  }}}}`, gw, secondName, secondType))
}

func TestImportDryRunThenReal(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	rep, err := a.ImportTable(ctx, admin, f.gw, tbFor(f.gw, "INT", "energy"), true)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || len(rep.Devices.Added) != 1 || len(rep.Devices.Removed) != 1 || len(rep.Points.Added) != 2 || len(rep.Points.Removed) != 4 {
		t.Fatalf("dry run report %+v", rep)
	}
	if devs, _ := a.ListDevices(ctx, admin, f.gw, false); len(devs) != 1 || devs[0].ID != f.dev {
		t.Fatalf("dry run changed the model: %+v", devs)
	}
	if _, err := a.ImportTable(ctx, admin, f.gw, tbFor(f.gw, "INT", "energy"), false); err != nil {
		t.Fatal(err)
	}
	pts, err := a.ListPoints(ctx, f.gw, "2b2b2b2b")
	if err != nil || len(pts) != 2 || pts[1].Name != "energy" {
		t.Fatalf("imported points %+v %v", pts, err)
	}
	rep, err = a.ImportTable(ctx, admin, f.gw, tbFor(f.gw, "INT", "energy"), true)
	if err != nil || rep.Devices.Unchanged != 1 || rep.Points.Unchanged != 2 || len(rep.Points.Changed) != 0 {
		t.Fatalf("re-import report %+v %v", rep, err)
	}
}

func TestInvalidImportListsEveryProblemAndChangesNothing(t *testing.T) {
	a, _ := newApp(t, nil)
	f := seed(t, a)
	ctx := context.Background()
	_, err := a.ImportTable(ctx, admin, f.gw, tbFor(f.gw, "COMPLEX", "power"), false)
	e := codes.From(err)
	if e == nil || e.Code != codes.TableNotValid {
		t.Fatalf("invalid table: %v", err)
	}
	problems, ok := e.Data.([]model.Problem)
	if !ok || len(problems) < 2 {
		t.Fatalf("problems %#v, want the bad type and the duplicate name", e.Data)
	}
	if devs, _ := a.ListDevices(ctx, admin, f.gw, false); len(devs) != 1 || devs[0].ID != f.dev {
		t.Fatalf("invalid import changed the model: %+v", devs)
	}
	other := "0123456789abcdef0123456789abcdef"
	if _, err := a.ImportTable(ctx, admin, f.gw, tbFor(other, "INT", "x"), false); codes.Of(err) != codes.TableNotValid {
		t.Fatalf("foreign gateway id: %v", err)
	}
	if _, err := a.ImportTable(ctx, viewer, f.gw, tbFor(f.gw, "INT", "x"), false); codes.Of(err) != codes.ObjectNotAuth {
		t.Fatalf("viewer import: %v", err)
	}
}
