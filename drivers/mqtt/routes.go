package mqtt

import "strings"

// routes finds the points a received topic feeds. Exact filters are looked
// up directly; only wildcard filters are matched one by one, so a device
// with thousands of plain topics costs one map lookup per message.
type routes struct {
	exact    map[string][]*binding
	wildcard map[string][]*binding
	filters  []string // every distinct filter, in point order, for SUBSCRIBE
}

func newRoutes(bs []*binding) routes {
	r := routes{exact: map[string][]*binding{}, wildcard: map[string][]*binding{}}
	for _, b := range bs {
		if b.filter == "" {
			continue
		}
		m := r.exact
		if strings.ContainsAny(b.filter, "#+") {
			m = r.wildcard
		}
		if _, seen := m[b.filter]; !seen {
			r.filters = append(r.filters, b.filter)
		}
		m[b.filter] = append(m[b.filter], b)
	}
	return r
}

// match returns every binding whose filter matches topic, each once.
func (r routes) match(topic string) []*binding {
	out := append([]*binding(nil), r.exact[topic]...)
	for f, bs := range r.wildcard {
		if matchTopic(f, topic) {
			out = append(out, bs...)
		}
	}
	return out
}
