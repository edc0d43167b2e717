package app

import (
	"context"
	"time"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// Write writes one point through its engine and driver and returns the
// driver's reply unchanged. The checks run in the documented order (syntax
// 111, gateway 108, device 109, point 110, access 515, type 516, range and
// pattern 105, role 112); a write that passes them is accepted, sent once
// with the remaining budget, and audited once with its result and latency.
// An error means the write never produced a driver reply: 3 when no engine
// listens, 519 when the deadline passed.
func (a *App) Write(ctx context.Context, user store.User, full string, value any, timeout time.Duration) (bus.Reply, error) {
	p, v, err := a.checkWrite(ctx, user, full, value)
	if err != nil {
		return bus.Reply{}, err
	}
	started := a.now()
	ctx, cancel := context.WithTimeout(ctx, commandTimeout(timeout))
	defer cancel()
	cmd := bus.WriteCmd{Point: p.Device + "." + p.ID, Value: v, TimeoutMS: remainingMS(ctx), User: user.Name}
	r, err := a.command(ctx, p.Gateway, bus.KindWrite, cmd)
	a.audit(ctx, user, "write", full, v, replyResult(r, err), started)
	return r, err
}

func (a *App) checkWrite(ctx context.Context, user store.User, full string, value any) (model.Point, any, error) {
	p, err := a.lookupPoint(ctx, full)
	if err != nil {
		return model.Point{}, nil, err
	}
	if err := model.CheckWritable(p); err != nil {
		return model.Point{}, nil, err
	}
	v, err := model.CheckValue(p, value)
	if err != nil {
		return model.Point{}, nil, err
	}
	if !auth.CanWrite(user.Role) {
		return model.Point{}, nil, codes.New(codes.ObjectNotAuth, "user %s (%s) may not write %s", user.Name, user.Role, full)
	}
	return p, v, nil
}
