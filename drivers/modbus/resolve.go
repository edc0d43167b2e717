package modbus

import "github.com/iotos/iotos/pkg/driver"

// resolved is the compiled form of one point list: the items to plan and
// the indexes of points the driver does not know.
type resolved struct {
	ids     []string // the point IDs it was made for, in order
	items   []item
	unknown []int
}

// resolve maps points to their compiled tags. The engine polls the same
// group again and again, so the last answer is kept and reused when the
// IDs match, saving a map lookup per point and an item slice per poll;
// the comparison is cheap because the IDs usually share their bytes.
func (m *Modbus) resolve(points []driver.Point) *resolved {
	if r := m.lastResolved; r != nil && sameIDs(r.ids, points) {
		return r
	}
	r := &resolved{ids: make([]string, len(points)), items: make([]item, 0, len(points))}
	for i, p := range points {
		r.ids[i] = p.ID
		t, ok := m.tags[p.ID]
		if !ok {
			r.unknown = append(r.unknown, i)
			continue
		}
		r.items = append(r.items, item{tag: t, index: i})
	}
	m.lastResolved = r
	return r
}

func sameIDs(ids []string, points []driver.Point) bool {
	if len(ids) != len(points) {
		return false
	}
	for i := range points {
		if ids[i] != points[i].ID {
			return false
		}
	}
	return true
}
