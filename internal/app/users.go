package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// AdminName is the user created on first start.
const AdminName = "admin"

// System is the acting user of changes the platform makes itself (seeding
// the demo, migrations); audit records name it.
var System = store.User{Name: "system", Role: store.RoleAdmin}

// EnsureAdmin creates the admin user on first start, with password or, when
// it is empty, a random one that is returned so the caller prints it once.
// On later starts it does nothing and returns created=false.
func (a *App) EnsureAdmin(ctx context.Context, password string) (created bool, pw string, err error) {
	users, err := a.store.ListUsers(ctx)
	if err != nil {
		return false, "", fmt.Errorf("list users: %w", err)
	}
	for _, u := range users {
		if u.Role == store.RoleAdmin || u.Name == AdminName {
			return false, "", nil
		}
	}
	if password == "" {
		password = auth.RandomPassword()
	}
	hash, err := auth.HashPasswordCost(password, a.pwCost)
	if err != nil {
		return false, "", fmt.Errorf("admin password: %w", err)
	}
	u := store.User{Name: AdminName, Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: a.now().UTC()}
	if _, err := a.store.CreateUser(ctx, u); err != nil {
		if codes.StatusOf(codes.From(err)) == http.StatusConflict {
			// Another replica on the same database created it first.
			return false, "", nil
		}
		return false, "", fmt.Errorf("create admin: %w", err)
	}
	return true, password, nil
}

// UserInput is what an admin sends to create a user.
type UserInput struct {
	Name     string     `json:"name"`
	Password string     `json:"password"`
	Role     store.Role `json:"role"`
}

// CreateUser adds a user (admin only).
func (a *App) CreateUser(ctx context.Context, actor store.User, in UserInput) (store.User, error) {
	if err := auth.RequireAdmin(actor); err != nil {
		return store.User{}, err
	}
	started := a.now()
	u, err := a.createUser(ctx, in)
	a.audit(ctx, actor, "create", "user "+in.Name, string(in.Role), err, started)
	return u, err
}

func (a *App) createUser(ctx context.Context, in UserInput) (store.User, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 64 {
		return store.User{}, codes.New(codes.ArgError, "user name must have 1 to 64 characters")
	}
	if !auth.ValidRole(in.Role) {
		return store.User{}, codes.New(codes.ArgError, "role %q is not admin, operator or viewer", in.Role)
	}
	hash, err := auth.HashPasswordCost(in.Password, a.pwCost)
	if err != nil {
		return store.User{}, err
	}
	u := store.User{Name: in.Name, Role: in.Role, PasswordHash: hash, CreatedAt: a.now().UTC()}
	if u.ID, err = a.store.CreateUser(ctx, u); err != nil {
		return store.User{}, fmt.Errorf("user %s: %w", in.Name, err)
	}
	return u, nil
}

// ListUsers lists every user (admin only).
func (a *App) ListUsers(ctx context.Context, actor store.User) ([]store.User, error) {
	if err := auth.RequireAdmin(actor); err != nil {
		return nil, err
	}
	us, err := a.store.ListUsers(ctx)
	if us == nil && err == nil {
		us = []store.User{}
	}
	return us, err
}

// GetUser returns one user (admin only).
func (a *App) GetUser(ctx context.Context, actor store.User, id int64) (store.User, error) {
	if err := auth.RequireAdmin(actor); err != nil {
		return store.User{}, err
	}
	return a.store.GetUser(ctx, id)
}

// SetPassword changes a user's password: admins for anyone, others for
// themselves.
func (a *App) SetPassword(ctx context.Context, actor store.User, id int64, password string) error {
	if actor.ID != id {
		if err := auth.RequireAdmin(actor); err != nil {
			return err
		}
	}
	started := a.now()
	err := a.updateUser(ctx, id, func(u *store.User) error {
		h, err := auth.HashPasswordCost(password, a.pwCost)
		u.PasswordHash = h
		return err
	})
	a.audit(ctx, actor, "update", fmt.Sprintf("user %d", id), "password", err, started)
	return err
}

// SetRole changes a user's role (admin only). The last admin cannot demote
// itself, so the platform never ends up without one.
func (a *App) SetRole(ctx context.Context, actor store.User, id int64, role store.Role) error {
	if err := auth.RequireAdmin(actor); err != nil {
		return err
	}
	if !auth.ValidRole(role) {
		return codes.New(codes.ArgError, "role %q is not admin, operator or viewer", role)
	}
	started := a.now()
	err := a.updateUser(ctx, id, func(u *store.User) error {
		if u.Role == store.RoleAdmin && role != store.RoleAdmin {
			if err := a.keepAnAdmin(ctx, u.ID); err != nil {
				return err
			}
		}
		u.Role = role
		return nil
	})
	a.audit(ctx, actor, "update", fmt.Sprintf("user %d", id), string(role), err, started)
	return err
}

func (a *App) updateUser(ctx context.Context, id int64, change func(*store.User) error) error {
	u, err := a.store.GetUser(ctx, id)
	if err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	if err := change(&u); err != nil {
		return err
	}
	if err := a.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	return nil
}

// DeleteUser removes a user (admin only), never the last admin.
func (a *App) DeleteUser(ctx context.Context, actor store.User, id int64) error {
	if err := auth.RequireAdmin(actor); err != nil {
		return err
	}
	started := a.now()
	err := a.deleteUser(ctx, id)
	a.audit(ctx, actor, "delete", fmt.Sprintf("user %d", id), nil, err, started)
	return err
}

func (a *App) deleteUser(ctx context.Context, id int64) error {
	u, err := a.store.GetUser(ctx, id)
	if err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	if u.Role == store.RoleAdmin {
		if err := a.keepAnAdmin(ctx, id); err != nil {
			return err
		}
	}
	if err := a.store.DeleteUser(ctx, id); err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	return nil
}

// keepAnAdmin fails with 105 when id is the only admin.
func (a *App) keepAnAdmin(ctx context.Context, id int64) error {
	us, err := a.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		if u.Role == store.RoleAdmin && u.ID != id {
			return nil
		}
	}
	return codes.New(codes.ArgError, "the last admin cannot be removed or demoted")
}
