package outbox

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry delays after a failed send: doubling from backoffMin, capped at
// backoffMax, with ±20% jitter so many engines do not retry in step.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 5 * time.Second
)

type backoff struct{ next time.Duration }

func newBackoff() *backoff { return &backoff{next: backoffMin} }

func (b *backoff) reset() { b.next = backoffMin }

// wait sleeps for the current delay, cut short by a reconnection or ctx,
// and doubles the delay for next time.
func (b *backoff) wait(ctx context.Context, reconnected <-chan struct{}) {
	d := b.next
	jitter := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5
	t := time.NewTimer(d + jitter)
	defer t.Stop()
	b.next = min(b.next*2, backoffMax)
	select {
	case <-t.C:
	case <-reconnected:
	case <-ctx.Done():
	}
}
