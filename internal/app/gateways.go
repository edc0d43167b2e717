package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// GatewayInput is what a user sends to create or update a gateway.
type GatewayInput struct {
	ID          string `json:"id,omitempty"` // create only; optional, 32 hex (migrations keep IDs)
	Name        string `json:"name"`
	Description string `json:"description"`
	Location    string `json:"location"`
}

// GatewayView is a gateway with its engine's status.
type GatewayView struct {
	model.Gateway
	Engine EngineStatus `json:"engine"`
	Online bool         `json:"online"`
}

// NewGateway is the reply to a creation: the key appears here only.
type NewGateway struct {
	GatewayView
	Key string `json:"key"`
}

func (a *App) gatewayView(g model.Gateway) GatewayView {
	es := a.engineStatus(g.ID)
	return GatewayView{Gateway: g, Engine: es, Online: es.Online}
}

// CreateGateway stores a new gateway and returns it with its key, shown once.
func (a *App) CreateGateway(ctx context.Context, user store.User, in GatewayInput) (NewGateway, error) {
	if err := auth.RequireWrite(user); err != nil {
		return NewGateway{}, err
	}
	started := a.now()
	ng, err := a.createGateway(ctx, in)
	a.audit(ctx, user, "create", ng.ID, in.Name, err, started)
	return ng, err
}

func (a *App) createGateway(ctx context.Context, in GatewayInput) (NewGateway, error) {
	now := a.now().UTC()
	g := model.Gateway{ID: strings.ToLower(in.ID), Name: in.Name, Description: in.Description, Location: in.Location, CreatedAt: now, UpdatedAt: now}
	explicit := g.ID != ""
	for attempt := 0; ; attempt++ {
		if !explicit {
			g.ID = model.NewGatewayID()
		}
		if err := model.ValidateGateway(g); err != nil {
			return NewGateway{}, err
		}
		if err := a.uniqueGatewayName(ctx, g); err != nil {
			return NewGateway{}, err
		}
		key, hash := auth.NewGatewayKey()
		err := a.store.CreateGateway(ctx, g, hash)
		if err == nil {
			return NewGateway{GatewayView: a.gatewayView(g), Key: key}, nil
		}
		if explicit || codes.StatusOf(codes.From(err)) != 409 || attempt == 3 {
			return NewGateway{}, fmt.Errorf("gateway %s: %w", g.ID, err)
		}
	}
}

// uniqueGatewayName keeps gateway names unique so people and tables can
// refer to them unambiguously.
func (a *App) uniqueGatewayName(ctx context.Context, g model.Gateway) error {
	gws, err := a.store.ListGateways(ctx)
	if err != nil {
		return err
	}
	for _, o := range gws {
		if o.ID != g.ID && o.Name == g.Name {
			return codes.Conflict("a gateway named %q exists (%s)", g.Name, o.ID)
		}
	}
	return nil
}

// GetGateway returns one gateway with its engine status.
func (a *App) GetGateway(ctx context.Context, id string) (GatewayView, error) {
	g, err := a.store.GetGateway(ctx, id)
	if err != nil {
		return GatewayView{}, err
	}
	return a.gatewayView(g), nil
}

// ListGateways returns every gateway with its engine status.
func (a *App) ListGateways(ctx context.Context) ([]GatewayView, error) {
	gws, err := a.store.ListGateways(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]GatewayView, 0, len(gws))
	for _, g := range gws {
		out = append(out, a.gatewayView(g))
	}
	return out, nil
}

// UpdateGateway changes a gateway's descriptive fields.
func (a *App) UpdateGateway(ctx context.Context, user store.User, id string, in GatewayInput) (GatewayView, error) {
	if err := auth.RequireWrite(user); err != nil {
		return GatewayView{}, err
	}
	started := a.now()
	g, err := a.updateGateway(ctx, id, in)
	a.audit(ctx, user, "update", id, in.Name, err, started)
	return g, err
}

func (a *App) updateGateway(ctx context.Context, id string, in GatewayInput) (GatewayView, error) {
	if in.ID != "" && in.ID != id {
		return GatewayView{}, codes.New(codes.ArgError, "gateway %s: the ID cannot change", id)
	}
	g, err := a.store.GetGateway(ctx, id)
	if err != nil {
		return GatewayView{}, err
	}
	g.Name, g.Description, g.Location, g.UpdatedAt = in.Name, in.Description, in.Location, a.now().UTC()
	if err := model.ValidateGateway(g); err != nil {
		return GatewayView{}, err
	}
	if err := a.uniqueGatewayName(ctx, g); err != nil {
		return GatewayView{}, err
	}
	if err := a.store.UpdateGateway(ctx, g); err != nil {
		return GatewayView{}, fmt.Errorf("gateway %s: %w", id, err)
	}
	return a.gatewayView(g), nil
}

// DeleteGateway removes a gateway with everything under it and disconnects
// its engine, whose key no longer exists.
func (a *App) DeleteGateway(ctx context.Context, user store.User, id string) error {
	if err := auth.RequireWrite(user); err != nil {
		return err
	}
	started := a.now()
	err := a.store.DeleteGateway(ctx, id)
	if err == nil {
		a.disconnect(id)
		a.status.forget(id)
		a.known.forgetGateway(id)
		a.cache.forgetGateway(id)
	}
	a.audit(ctx, user, "delete", id, nil, err, started)
	return err
}

// RotateKey gives a gateway a new key (returned once) and drops the live
// connection made with the old one.
func (a *App) RotateKey(ctx context.Context, user store.User, id string) (string, error) {
	if err := auth.RequireWrite(user); err != nil {
		return "", err
	}
	started := a.now()
	key, hash := auth.NewGatewayKey()
	err := a.store.SetGatewayKey(ctx, id, hash)
	if err == nil {
		a.disconnect(id)
	}
	a.audit(ctx, user, "rotate-key", id, nil, err, started)
	if err != nil {
		return "", err
	}
	return key, nil
}

// CheckGatewayKey authenticates an engine: 107 for an unknown gateway or a
// wrong key, so a caller cannot probe which gateways exist.
func (a *App) CheckGatewayKey(ctx context.Context, gw, key string) error {
	hash, err := a.store.GatewayKeyHash(ctx, gw)
	if err != nil {
		if codes.Of(err) == codes.IONodeNotExist {
			return codes.New(codes.AccountNotRegister, "gateway key rejected")
		}
		return err
	}
	return auth.CheckGatewayKey(hash, key)
}
