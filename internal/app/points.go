package app

import (
	"context"
	"fmt"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// PointInput is what a user sends to create or update a point: the model's
// point, whose gateway, device and timestamps are taken from the URL and
// the clock, not the body.
type PointInput = model.Point

func preparePoint(p *model.Point, gw, dev string) {
	p.Gateway, p.Device = gw, dev
	if p.Access == "" {
		p.Access = driver.Read
	}
	if len(p.Config) == 0 {
		p.Config = []byte(`{}`)
	}
}

// CreatePoint adds a point to a device.
func (a *App) CreatePoint(ctx context.Context, user store.User, gw, dev string, in PointInput) (model.Point, error) {
	if err := auth.RequireWrite(user); err != nil {
		return model.Point{}, err
	}
	started := a.now()
	p, err := a.createPoint(ctx, gw, dev, in)
	a.audit(ctx, user, "create", p.FullID(), in.Name, err, started)
	if err != nil {
		return model.Point{}, err
	}
	a.modelChanged(gw, dev)
	return p, nil
}

func (a *App) createPoint(ctx context.Context, gw, dev string, p model.Point) (model.Point, error) {
	if _, err := a.store.GetDevice(ctx, gw, dev); err != nil {
		return p, err
	}
	preparePoint(&p, gw, dev)
	now := a.now().UTC()
	p.CreatedAt, p.UpdatedAt = now, now
	explicit := p.ID != ""
	for attempt := 0; ; attempt++ {
		if !explicit {
			p.ID = model.NewPointID()
		}
		if err := a.checkPoint(ctx, p); err != nil {
			return p, err
		}
		err := a.store.CreatePoint(ctx, p)
		if err == nil {
			return p, nil
		}
		if explicit || codes.StatusOf(codes.From(err)) != 409 || attempt == 7 {
			return p, fmt.Errorf("point %s: %w", p.FullID(), err)
		}
	}
}

// checkPoint validates a point and keeps its name unique in its device.
func (a *App) checkPoint(ctx context.Context, p model.Point) error {
	if err := model.ValidatePoint(p); err != nil {
		return err
	}
	pts, err := a.store.ListPoints(ctx, p.Gateway, p.Device)
	if err != nil {
		return err
	}
	for _, o := range pts {
		if o.ID != p.ID && o.Name == p.Name {
			return codes.Conflict("device %s: a point named %q exists (%s)", p.Device, p.Name, o.ID)
		}
	}
	return nil
}

// GetPoint returns one point.
func (a *App) GetPoint(ctx context.Context, gw, dev, id string) (model.Point, error) {
	return a.store.GetPoint(ctx, gw, dev, id)
}

// ListPoints returns a device's points in table order (108/109 when the
// gateway or device does not exist).
func (a *App) ListPoints(ctx context.Context, gw, dev string) ([]model.Point, error) {
	if _, err := a.store.GetDevice(ctx, gw, dev); err != nil {
		return nil, err
	}
	pts, err := a.store.ListPoints(ctx, gw, dev)
	if pts == nil && err == nil {
		pts = []model.Point{}
	}
	return pts, err
}

// UpdatePoint replaces a point's fields.
func (a *App) UpdatePoint(ctx context.Context, user store.User, gw, dev, id string, in PointInput) (model.Point, error) {
	if err := auth.RequireWrite(user); err != nil {
		return model.Point{}, err
	}
	started := a.now()
	p, err := a.updatePoint(ctx, gw, dev, id, in)
	a.audit(ctx, user, "update", gw+"."+dev+"."+id, in.Name, err, started)
	if err != nil {
		return model.Point{}, err
	}
	a.modelChanged(gw, dev)
	return p, nil
}

func (a *App) updatePoint(ctx context.Context, gw, dev, id string, p model.Point) (model.Point, error) {
	if p.ID != "" && p.ID != id {
		return model.Point{}, codes.New(codes.ArgError, "point %s: the ID cannot change", id)
	}
	old, err := a.store.GetPoint(ctx, gw, dev, id)
	if err != nil {
		return model.Point{}, err
	}
	p.ID, p.CreatedAt, p.UpdatedAt, p.Raw = id, old.CreatedAt, a.now().UTC(), old.Raw
	preparePoint(&p, gw, dev)
	if err := a.checkPoint(ctx, p); err != nil {
		return model.Point{}, err
	}
	if err := a.store.UpdatePoint(ctx, p); err != nil {
		return model.Point{}, fmt.Errorf("point %s: %w", p.FullID(), err)
	}
	return p, nil
}

// DeletePoint removes a point.
func (a *App) DeletePoint(ctx context.Context, user store.User, gw, dev, id string) error {
	if err := auth.RequireWrite(user); err != nil {
		return err
	}
	started := a.now()
	err := a.store.DeletePoint(ctx, gw, dev, id)
	a.audit(ctx, user, "delete", gw+"."+dev+"."+id, nil, err, started)
	if err != nil {
		return err
	}
	a.cache.forget(gw + "." + dev + "." + id)
	a.modelChanged(gw, dev)
	return nil
}

// lookupPoint resolves a full ID in the order writes are checked: syntax
// (111), then gateway (108), device (109), point (110).
func (a *App) lookupPoint(ctx context.Context, full string) (model.Point, error) {
	id, err := model.ParseFullID(full)
	if err != nil {
		return model.Point{}, err
	}
	if _, err := a.store.GetGateway(ctx, id.Gateway); err != nil {
		return model.Point{}, err
	}
	if _, err := a.store.GetDevice(ctx, id.Gateway, id.Device); err != nil {
		return model.Point{}, err
	}
	return a.store.GetPoint(ctx, id.Gateway, id.Device, id.Point)
}
