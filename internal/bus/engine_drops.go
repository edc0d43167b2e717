package bus

import (
	"context"
	"sync"
)

// dropSignal tells requests in flight that the connection they were sent
// on dropped. Their replies are then lost for good (the server does not
// keep a reply for a client that left), so without it a batch sent just
// before a drop waited out its whole deadline — 30 s in the outbox —
// before being retried, holding up every batch behind it.
type dropSignal struct {
	mu sync.Mutex
	ch chan struct{} // closed by the next drop; nil: made on demand
}

// current returns a channel closed when the connection drops next. Take
// it before checking that the link is connected, so that a drop between
// the two is seen by one or the other.
func (d *dropSignal) current() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		d.ch = make(chan struct{})
	}
	return d.ch
}

// dropped wakes every request waiting on the connection that dropped;
// later requests wait on a new channel.
func (d *dropSignal) dropped() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch != nil {
		close(d.ch)
		d.ch = nil
	}
}

// cancelOnDrop derives a context that ends when ctx does or drop closes;
// stop releases its watcher.
func cancelOnDrop(ctx context.Context, drop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-drop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
