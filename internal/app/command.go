package app

import (
	"context"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
)

// DefaultCommandTimeout is the deadline of a write, read or control command
// when the caller gives none.
const DefaultCommandTimeout = 5 * time.Second

// MaxCommandTimeout bounds what a caller may ask for, so a request cannot
// hold a connection and an engine worker for ever.
const MaxCommandTimeout = 5 * time.Minute

func commandTimeout(d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return DefaultCommandTimeout
	case d > MaxCommandTimeout:
		return MaxCommandTimeout
	}
	return d
}

// remainingMS is the budget left before ctx's deadline, as a duration: the
// engine measures it from receipt, so skewed clocks cannot break it.
func remainingMS(ctx context.Context) int64 {
	dl, ok := ctx.Deadline()
	if !ok {
		return DefaultCommandTimeout.Milliseconds()
	}
	left := time.Until(dl).Milliseconds()
	if left < 1 {
		left = 1
	}
	return left
}

// command sends one command to a gateway's engine: 3 when there is no bus or
// no engine, 519 when ctx's deadline passes first.
func (a *App) command(ctx context.Context, gw, kind string, cmd any) (bus.Reply, error) {
	if a.link == nil {
		return bus.Reply{}, codes.New(codes.ObjectOffline, "gateway %s: no engine connected", gw)
	}
	r, err := a.link.Command(ctx, gw, kind, cmd)
	if err != nil {
		if ctx.Err() != nil && codes.Of(err) == codes.Unknown {
			return bus.Reply{}, codes.New(codes.Timeout, "gateway %s: no reply before the deadline", gw)
		}
		return bus.Reply{}, err
	}
	return r, nil
}
