package engine

import "testing"

func TestBackoffDoublesWithJitterUpToTheCap(t *testing.T) {
	var b backoff
	base := backoffMin
	for i := 0; i < 20; i++ {
		d := b.next()
		lo, hi := base-base/5, base+base/5
		if d < lo || d > hi {
			t.Fatalf("attempt %d: %v outside %v…%v", i, d, lo, hi)
		}
		base = min(base*2, backoffMax)
	}
	b.reset()
	if d := b.next(); d > backoffMin+backoffMin/5 {
		t.Fatalf("after reset: %v", d)
	}
}
