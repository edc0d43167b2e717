package api

import (
	"testing"

	_ "github.com/iotos/iotos/drivers/simulator" // a registered driver with a spec
	"github.com/iotos/iotos/pkg/driver"
)

func TestDriversEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var got []struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Device      []driver.Field `json:"device"`
		Point       []driver.Field `json:"point"`
		External    bool           `json:"external"`
		Form        string         `json:"form"`
	}
	e.ok(e.do("GET", "/api/v1/drivers", e.token, nil), &got)
	byName := map[string]int{}
	for i, d := range got {
		byName[d.Name] = i
	}
	reg, ok := driver.Lookup("simulator")
	if !ok {
		t.Fatal("simulator is not registered")
	}
	i, ok := byName["simulator"]
	if !ok {
		t.Fatalf("simulator missing from %+v", got)
	}
	sim := got[i]
	if sim.External || sim.Description != reg.Spec.Description || len(sim.Device) != len(reg.Spec.Device) || len(sim.Point) != len(reg.Spec.Point) {
		t.Fatalf("simulator entry %+v, spec %+v", sim, reg.Spec)
	}
	if len(sim.Point) == 0 || sim.Point[0].Name != reg.Spec.Point[0].Name || sim.Point[0].Type != reg.Spec.Point[0].Type {
		t.Fatalf("simulator point fields %+v", sim.Point)
	}
	for name, form := range map[string]string{"python": "python/<module>.<Class>", "exec": "exec/<name>"} {
		i, ok := byName[name]
		if !ok || !got[i].External || got[i].Form != form || got[i].Device == nil {
			t.Fatalf("external %s: %+v", name, got)
		}
	}
	e.want(e.do("GET", "/api/v1/drivers", "", nil), 107, 401)
}
