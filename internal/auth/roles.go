package auth

import (
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// ValidRole reports whether r is one of the three roles.
func ValidRole(r store.Role) bool {
	return r == store.RoleAdmin || r == store.RoleOperator || r == store.RoleViewer
}

// CanWrite reports whether a role may change state: write points, control
// collection, edit the model.
func CanWrite(r store.Role) bool { return r == store.RoleAdmin || r == store.RoleOperator }

// CanAdmin reports whether a role may manage users and see secrets.
func CanAdmin(r store.Role) bool { return r == store.RoleAdmin }

// RequireWrite returns 112 unless the user may change state.
func RequireWrite(u store.User) error {
	if !CanWrite(u.Role) {
		return codes.New(codes.ObjectNotAuth, "user %s (%s) may not change anything", u.Name, u.Role)
	}
	return nil
}

// RequireAdmin returns 112 unless the user is an admin.
func RequireAdmin(u store.User) error {
	if !CanAdmin(u.Role) {
		return codes.New(codes.ObjectNotAuth, "user %s (%s) is not an admin", u.Name, u.Role)
	}
	return nil
}
