package engine

import (
	"sort"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// pollGroup is the points of one device read together: same interval.
type pollGroup struct {
	interval time.Duration
	points   []driver.Point
	pts      []*point  // the engine's view of points, index for index
	next     time.Time // when the group is due
	overruns int64     // ticks that came while the group was still due
}

// pollGroups groups the polled points by interval, shortest first. Points
// with no interval, write-only points and proxy points (filled by their
// pointer's read) are not polled.
func pollGroups(points []driver.Point) []*pollGroup {
	byInterval := map[time.Duration]*pollGroup{}
	var out []*pollGroup
	for _, p := range points {
		if p.Interval <= 0 || p.Proxy != nil || !p.Access.CanRead() {
			continue
		}
		g := byInterval[p.Interval]
		if g == nil {
			g = &pollGroup{interval: p.Interval}
			byInterval[p.Interval] = g
			out = append(out, g)
		}
		g.points = append(g.points, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].interval < out[j].interval })
	return out
}

// reschedule moves the group to its next tick after a poll that ended at
// now. Ticks that passed while the poll ran are overruns: counted and
// returned, so the caller logs them, and not polled twice.
func (g *pollGroup) reschedule(now time.Time) int64 {
	g.next = g.next.Add(g.interval)
	if g.next.After(now) {
		return 0
	}
	missed := int64(now.Sub(g.next)/g.interval) + 1
	g.overruns += missed
	g.next = g.next.Add(time.Duration(missed) * g.interval)
	return missed
}

// nextDue is the earliest due time of the groups (zero when none).
func nextDue(groups []*pollGroup) time.Time {
	var t time.Time
	for _, g := range groups {
		if t.IsZero() || g.next.Before(t) {
			t = g.next
		}
	}
	return t
}
