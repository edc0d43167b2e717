package bus

import (
	"math/rand/v2"
	"time"
)

// Reconnect backoff: doubling from backoffBase, capped at backoffMax, with
// jitter so that many engines cut off by the same outage do not all knock
// on the restarted platform in the same instant.
const (
	backoffBase = 250 * time.Millisecond
	backoffMax  = 5 * time.Second
)

// reconnectDelay is the wait before reconnect attempt n (1-based): a random
// duration in [d/2, d] where d doubles per attempt up to backoffMax.
func reconnectDelay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := backoffMax
	if shift := attempt - 1; shift < 6 {
		d = min(backoffBase<<shift, backoffMax)
	}
	half := d / 2
	return half + rand.N(half+1)
}
