package app

import (
	"context"
	"encoding/json"
	"time"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// Collection actions.
const (
	CollectPause  = "pause"
	CollectResume = "resume"
	CollectReset  = "reset"
)

// Broadcast sends a custom event to every driver of a gateway; the reply's
// data holds each device's reply.
func (a *App) Broadcast(ctx context.Context, user store.User, gw, typ string, data json.RawMessage, timeout time.Duration) (bus.Reply, error) {
	if _, err := a.store.GetGateway(ctx, gw); err != nil {
		return bus.Reply{}, err
	}
	if err := auth.RequireWrite(user); err != nil {
		return bus.Reply{}, err
	}
	if typ == "" {
		return bus.Reply{}, codes.New(codes.ArgError, "broadcast: type must not be empty")
	}
	started := a.now()
	ctx, cancel := context.WithTimeout(ctx, commandTimeout(timeout))
	defer cancel()
	r, err := a.command(ctx, gw, bus.KindBroadcast, bus.BroadcastCmd{From: "user:" + user.Name, Type: typ, Data: data, TimeoutMS: remainingMS(ctx)})
	a.audit(ctx, user, "broadcast", gw, typ, replyResult(r, err), started)
	return r, err
}

// Collect pauses, resumes or resets a device's collection.
func (a *App) Collect(ctx context.Context, user store.User, gw, dev, action string, timeout time.Duration) (bus.Reply, error) {
	if _, err := a.store.GetDevice(ctx, gw, dev); err != nil {
		return bus.Reply{}, err
	}
	if err := auth.RequireWrite(user); err != nil {
		return bus.Reply{}, err
	}
	if action != CollectPause && action != CollectResume && action != CollectReset {
		return bus.Reply{}, codes.New(codes.ArgError, "collect: action %q is not pause, resume or reset", action)
	}
	started := a.now()
	ctx, cancel := context.WithTimeout(ctx, commandTimeout(timeout))
	defer cancel()
	r, err := a.command(ctx, gw, bus.KindCollect, bus.CollectCmd{Device: dev, Action: action, TimeoutMS: remainingMS(ctx)})
	a.audit(ctx, user, "collect", gw+"."+dev, action, replyResult(r, err), started)
	return r, err
}

func replyResult(r bus.Reply, err error) error {
	if err != nil {
		return err
	}
	return r.Err()
}
