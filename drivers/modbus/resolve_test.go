package modbus

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// TestReadPointListsChange alternates point lists on one driver, so a
// resolution kept from the previous Read must never answer for another
// list: every sample has to belong to the point at its index.
func TestReadPointListsChange(t *testing.T) {
	d := newDevice()
	d.set(1, areaHolding, 0, 10)
	d.set(1, areaHolding, 1, 11)
	d.set(1, areaHolding, 2, 12)
	srv := startServer(t, d)
	a, b, c := holdingPoint("0001", 0, 1), holdingPoint("0002", 1, 1), holdingPoint("0003", 2, 1)
	unknown := holdingPoint("00ff", 3, 1)
	m := connected(t, deviceFor(srv.url(), nil, a, b, c))
	lists := [][]driver.Point{{a, b, c}, {c, a}, {a, b, c}, {b}, {b, unknown, a}, {b, unknown, a}, {unknown}, {c, b, a}}
	want := map[string]int64{"0001": 10, "0002": 11, "0003": 12}
	for round, pts := range lists {
		s, err := m.Read(ctxT(t), pts)
		if err != nil || len(s) != len(pts) {
			t.Fatalf("round %d: %d samples, %v", round, len(s), err)
		}
		for i, p := range pts {
			got := s[i]
			if p.ID == unknown.ID {
				if got.Point != p.ID || got.Quality != driver.Bad || got.Code != driver.CodeArgError {
					t.Fatalf("round %d: unknown point gave %+v", round, got)
				}
				continue
			}
			if got.Point != p.ID || got.Quality != driver.Good || got.Value != want[p.ID] {
				t.Fatalf("round %d index %d: %+v, want point %s = %d", round, i, got, p.ID, want[p.ID])
			}
		}
	}
}
