package driver

import "context"

// yieldKey is the context key of the engine's yield hook.
type yieldKey struct{}

// Yield lets the engine serve the commands waiting for this device (writes,
// on-demand reads) in the middle of a long Read, so that a write waits for
// one request of a poll rather than for the whole poll. A driver whose Read
// sends several requests calls it between two of them, with the ctx it was
// given, on the goroutine the engine called Read on.
//
// The commands run inline, inside the call to Yield, on the same goroutine:
// the driver is still never called concurrently, but it must accept a
// Write, a ReadNow, a Read of one point, a Broadcast or a Browse nested in
// its Read at that point. So it calls Yield only where it holds no
// per-request state and no exclusive resource (a shared line's wire, a
// half-sent request), and the state it keeps across the call is its own
// local state, not fields those methods change.
//
// Yield returns nil when the Read should go on. It returns an error
// wrapping ErrReconnect when a command run there found the link broken (or
// the driver panicked in it): the engine closes the driver once the Read
// returns, so the Read should return that error at once. Outside a poll's
// Read, or when nothing is waiting, Yield does nothing and returns nil. It
// does not report the end of ctx; the driver checks ctx as it always does.
func Yield(ctx context.Context) error {
	if y, ok := ctx.Value(yieldKey{}).(func(context.Context) error); ok {
		return y(ctx)
	}
	return nil
}

// WithYield returns a copy of ctx whose Yield calls fn. The engine passes
// such a context to a poll's Read; a driver's tests use it to run a command
// at the point where the driver yields.
func WithYield(ctx context.Context, fn func(context.Context) error) context.Context {
	return context.WithValue(ctx, yieldKey{}, fn)
}
