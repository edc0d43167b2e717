package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// DeviceInput is what a user sends to create or update a device.
type DeviceInput struct {
	ID          string          `json:"id,omitempty"` // create only; optional, 8 hex
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Driver      string          `json:"driver"`
	Config      json.RawMessage `json:"config"`
	Enabled     *bool           `json:"enabled"` // default true
	Parent      string          `json:"parent"`
	Subscribe   []string        `json:"subscribe"`
	Template    string          `json:"template"`
}

// DeviceView is a device with its worker's state; secret config fields are
// redacted unless an admin asked to reveal them.
type DeviceView struct {
	model.Device
	DeviceState
}

func (a *App) deviceView(d model.Device, reveal bool) DeviceView {
	if !reveal {
		d.Config = redactConfig(d.Driver, d.Config)
	}
	return DeviceView{Device: d, DeviceState: a.deviceState(d.Gateway, d.ID)}
}

// revealAllowed is true only when an admin asks for secrets explicitly.
func revealAllowed(user store.User, reveal bool) bool { return reveal && auth.CanAdmin(user.Role) }

func (in DeviceInput) apply(d *model.Device) {
	d.Name, d.Description, d.Driver, d.Config = in.Name, in.Description, in.Driver, in.Config
	d.Parent, d.Subscribe, d.Template = in.Parent, in.Subscribe, in.Template
	if len(d.Config) == 0 {
		d.Config = json.RawMessage(`{}`)
	}
	d.Enabled = in.Enabled == nil || *in.Enabled
}

// CreateDevice adds a device to a gateway.
func (a *App) CreateDevice(ctx context.Context, user store.User, gw string, in DeviceInput) (DeviceView, error) {
	if err := auth.RequireWrite(user); err != nil {
		return DeviceView{}, err
	}
	started := a.now()
	d, err := a.createDevice(ctx, gw, in)
	a.audit(ctx, user, "create", gw+"."+d.ID, in.Name, err, started)
	if err != nil {
		return DeviceView{}, err
	}
	a.modelChanged(gw, d.ID)
	return a.deviceView(d, false), nil
}

func (a *App) createDevice(ctx context.Context, gw string, in DeviceInput) (model.Device, error) {
	if _, err := a.store.GetGateway(ctx, gw); err != nil {
		return model.Device{}, err
	}
	now := a.now().UTC()
	d := model.Device{ID: in.ID, Gateway: gw, CreatedAt: now, UpdatedAt: now}
	in.apply(&d)
	explicit := d.ID != ""
	for attempt := 0; ; attempt++ {
		if !explicit {
			d.ID = model.NewDeviceID()
		}
		if err := a.checkDevice(ctx, d); err != nil {
			return d, err
		}
		err := a.store.CreateDevice(ctx, d)
		if err == nil {
			return d, nil
		}
		if explicit || codes.StatusOf(codes.From(err)) != 409 || attempt == 3 {
			return d, fmt.Errorf("device %s: %w", d.ID, err)
		}
	}
}

// checkDevice validates a device and its place among its siblings: a unique
// name and an existing parent.
func (a *App) checkDevice(ctx context.Context, d model.Device) error {
	if err := model.ValidateDevice(d); err != nil {
		return err
	}
	devs, err := a.store.ListDevices(ctx, d.Gateway)
	if err != nil {
		return err
	}
	parentFound := d.Parent == ""
	for _, o := range devs {
		if o.ID != d.ID && o.Name == d.Name {
			return codes.Conflict("gateway %s: a device named %q exists (%s)", d.Gateway, d.Name, o.ID)
		}
		parentFound = parentFound || o.ID == d.Parent
	}
	if !parentFound {
		return codes.New(codes.ArgError, "device %s: parent %s does not exist", d.ID, d.Parent)
	}
	return nil
}

// GetDevice returns one device.
func (a *App) GetDevice(ctx context.Context, user store.User, gw, id string, reveal bool) (DeviceView, error) {
	d, err := a.store.GetDevice(ctx, gw, id)
	if err != nil {
		return DeviceView{}, err
	}
	return a.deviceView(d, revealAllowed(user, reveal)), nil
}

// ListDevices returns a gateway's devices (108 for an unknown gateway).
func (a *App) ListDevices(ctx context.Context, user store.User, gw string, reveal bool) ([]DeviceView, error) {
	if _, err := a.store.GetGateway(ctx, gw); err != nil {
		return nil, err
	}
	devs, err := a.store.ListDevices(ctx, gw)
	if err != nil {
		return nil, err
	}
	out := make([]DeviceView, 0, len(devs))
	for _, d := range devs {
		out = append(out, a.deviceView(d, revealAllowed(user, reveal)))
	}
	return out, nil
}

// UpdateDevice replaces a device's fields. Secret fields sent back redacted
// keep their stored values.
func (a *App) UpdateDevice(ctx context.Context, user store.User, gw, id string, in DeviceInput) (DeviceView, error) {
	if err := auth.RequireWrite(user); err != nil {
		return DeviceView{}, err
	}
	started := a.now()
	d, err := a.updateDevice(ctx, gw, id, in)
	a.audit(ctx, user, "update", gw+"."+id, in.Name, err, started)
	if err != nil {
		return DeviceView{}, err
	}
	a.modelChanged(gw, a.withChildren(ctx, gw, id)...)
	return a.deviceView(d, false), nil
}

func (a *App) updateDevice(ctx context.Context, gw, id string, in DeviceInput) (model.Device, error) {
	if in.ID != "" && in.ID != id {
		return model.Device{}, codes.New(codes.ArgError, "device %s: the ID cannot change", id)
	}
	d, err := a.store.GetDevice(ctx, gw, id)
	if err != nil {
		return model.Device{}, err
	}
	stored := d.Config
	in.apply(&d)
	d.Config = keepSecrets(d.Driver, d.Config, stored)
	d.UpdatedAt = a.now().UTC()
	if err := a.checkDevice(ctx, d); err != nil {
		return model.Device{}, err
	}
	if err := a.store.UpdateDevice(ctx, d); err != nil {
		return model.Device{}, fmt.Errorf("device %s: %w", id, err)
	}
	return d, nil
}

// withChildren is id and every device inheriting from it, directly or not:
// their effective configs, hence their versions, change with it.
func (a *App) withChildren(ctx context.Context, gw, id string) []string {
	devs, err := a.store.ListDevices(ctx, gw)
	if err != nil {
		return []string{id}
	}
	out, seen := []string{id}, map[string]bool{id: true}
	for i := 0; i < len(out); i++ {
		for _, d := range devs {
			if d.Parent == out[i] && !seen[d.ID] {
				seen[d.ID] = true
				out = append(out, d.ID)
			}
		}
	}
	return out
}

// DeleteDevice removes a device and its points.
func (a *App) DeleteDevice(ctx context.Context, user store.User, gw, id string) error {
	if err := auth.RequireWrite(user); err != nil {
		return err
	}
	started := a.now()
	err := a.deleteDevice(ctx, gw, id)
	a.audit(ctx, user, "delete", gw+"."+id, nil, err, started)
	if err != nil {
		return err
	}
	a.cache.forgetDevice(gw, id)
	a.modelChanged(gw, id)
	return nil
}

func (a *App) deleteDevice(ctx context.Context, gw, id string) error {
	devs, err := a.store.ListDevices(ctx, gw)
	if err != nil {
		return err
	}
	for _, d := range devs {
		if d.Parent == id {
			return codes.New(codes.ArgError, "device %s is the parent of %s; change that first", id, d.ID)
		}
	}
	return a.store.DeleteDevice(ctx, gw, id)
}
