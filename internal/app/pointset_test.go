package app

import (
	"testing"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

func typeOf(s *pointSet, key string) driver.Type {
	t, _ := s.lookup(key)
	return t
}

// TestPointSetKeys checks that packed and unpacked keys answer alike and
// never for one another: IDs of another shape or case, or an unusual type,
// keep their exact key.
func TestPointSetKeys(t *testing.T) {
	tb := model.Table{Devices: []model.DeviceTable{
		{Device: model.Device{ID: "0000000a"}, Points: []model.Point{
			{ID: "0001", Type: driver.Float}, {ID: "ffff", Type: driver.Bool}, {ID: "00a1", Type: "ODD"}}},
		{Device: model.Device{ID: "0000000A"}, Points: []model.Point{{ID: "0001", Type: driver.Int}}},
		{Device: model.Device{ID: "dev"}, Points: []model.Point{{ID: "0001", Type: driver.String}}},
	}}
	set := pointTypes(tb)
	want := map[string]driver.Type{
		"0000000a.0001": driver.Float, "0000000a.ffff": driver.Bool, "0000000a.00a1": "ODD",
		"0000000A.0001": driver.Int, "dev.0001": driver.String,
	}
	if set.len() != len(want) {
		t.Fatalf("%d points in the set, want %d", set.len(), len(want))
	}
	for key, typ := range want {
		if got, ok := set.lookup(key); !ok || got != typ {
			t.Errorf("%s: %q %v, want %q", key, got, ok, typ)
		}
	}
	for _, key := range []string{"0000000a.0002", "0000000a.FFFF", "0000000b.0001", "0000000a0001", "0000000a.00011", "", "dev.0002"} {
		if got, ok := set.lookup(key); ok {
			t.Errorf("%s: found %q in the set", key, got)
		}
	}
	var none *pointSet
	if _, ok := none.lookup("0000000a.0001"); ok || none.len() != 0 {
		t.Error("a nil set has points")
	}
}
