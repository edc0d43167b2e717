package mqtt

import (
	"errors"
	"strings"
	"testing"
)

func TestMatchTopic(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/b", "a/b/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/+/c", "a/b/c", true},
		{"a/+/c", "a/b/d", false},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/#", "b/a", false},
		{"#", "a/b", true},
		{"+", "a", true},
		{"+", "a/b", false},
		{"+/+", "/b", true},
		{"a/+", "a/", true},
		{"#", "$SYS/uptime", false},
		{"+/uptime", "$SYS/uptime", false},
		{"$SYS/#", "$SYS/uptime", true},
		{"a//b", "a//b", true},
		{"a/+/b", "a//b", true},
	}
	for _, c := range cases {
		if got := matchTopic(c.filter, c.topic); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}

func TestCheckFilter(t *testing.T) {
	for _, ok := range []string{"a", "a/b", "+", "#", "a/+/b", "a/#", "+/+/#", "/a", "a//b"} {
		if err := checkFilter(ok); err != nil {
			t.Errorf("checkFilter(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a/#/b", "a#", "a/b+", "+a", "a\x00b", string([]byte{0xff}), strings.Repeat("a", maxTopicLen+1)} {
		if err := checkFilter(bad); err == nil {
			t.Errorf("checkFilter(%q) accepted", bad)
		}
	}
	if err := checkTopicName("a/+"); err == nil {
		t.Error("a write topic with a wildcard was accepted")
	}
}

func TestRoutesMatchEachBindingOnce(t *testing.T) {
	exact := &binding{filter: "a/b"}
	single := &binding{filter: "a/+"}
	multi := &binding{filter: "#"}
	other := &binding{filter: "c"}
	sameTopic := &binding{filter: "a/b"}
	r := newRoutes([]*binding{exact, single, multi, other, sameTopic, {}})
	got := r.match("a/b")
	if len(got) != 4 {
		t.Fatalf("match a/b: %d bindings, want 4", len(got))
	}
	seen := map[*binding]bool{}
	for _, b := range got {
		if seen[b] || b == other {
			t.Fatalf("match a/b returned %+v twice or wrongly", b)
		}
		seen[b] = true
	}
	if strings.Join(r.filters, ",") != "a/b,a/+,#,c" {
		t.Errorf("filters %v, want each distinct filter once in point order", r.filters)
	}
}

func TestRefusedFilters(t *testing.T) {
	filters := []string{"a", "b/+", "c/#"}
	if err := refusedFilters(filters, []byte{0, 1, 2}); err != nil {
		t.Errorf("granted QoS 0-2: %v", err)
	}
	err := refusedFilters(filters, []byte{0, 0x80, 0x87})
	if !errors.Is(err, errSubscribeRefused) || !strings.Contains(err.Error(), "b/+ (reason 0x80)") ||
		!strings.Contains(err.Error(), "c/# (reason 0x87)") || strings.Contains(err.Error(), "a (") {
		t.Errorf("refused b/+ and c/#: %v", err)
	}
	if err := refusedFilters(filters, []byte{0}); !errors.Is(err, errSubscribeRefused) {
		t.Errorf("too few reason codes: %v", err)
	}
}
