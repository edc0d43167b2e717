package engine

import (
	"math/rand/v2"
	"time"
)

// Reconnect backoff bounds.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 30 * time.Second
)

// backoff is capped exponential backoff with jitter, so devices that failed
// together do not retry in lockstep.
type backoff struct{ cur time.Duration }

// next returns the delay before the next attempt and doubles it.
func (b *backoff) next() time.Duration {
	if b.cur < backoffMin {
		b.cur = backoffMin
	}
	d := b.cur
	b.cur = min(b.cur*2, backoffMax)
	// ±20 % jitter.
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	return d + jitter
}

func (b *backoff) reset() { b.cur = 0 }
