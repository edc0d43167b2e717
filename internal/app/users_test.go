package app

import (
	"context"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

func TestUserAdministration(t *testing.T) {
	a, _ := newApp(t, nil)
	ctx := context.Background()
	if _, _, err := a.EnsureAdmin(ctx, "admin-pass-1"); err != nil {
		t.Fatal(err)
	}
	_, root, err := a.Login(ctx, "admin", "admin-pass-1", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.CreateUser(ctx, root, UserInput{Name: "olga", Password: "operator-1", Role: store.RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(ctx, u, UserInput{Name: "x", Password: "password-1", Role: store.RoleViewer}); codes.Of(err) != codes.ObjectNotAuth {
		t.Fatalf("operator creating a user: %v", err)
	}
	if _, err := a.CreateUser(ctx, root, UserInput{Name: "y", Password: "password-1", Role: "root"}); codes.Of(err) != codes.ArgError {
		t.Fatalf("unknown role: %v", err)
	}
	if err := a.SetPassword(ctx, u, u.ID, "new-password-1"); err != nil {
		t.Fatalf("own password: %v", err)
	}
	if err := a.SetPassword(ctx, u, root.ID, "hijacked-pass"); codes.Of(err) != codes.ObjectNotAuth {
		t.Fatalf("someone else's password: %v", err)
	}
	if _, _, err := a.Login(ctx, "olga", "new-password-1", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetRole(ctx, root, root.ID, store.RoleViewer); codes.Of(err) != codes.ArgError {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := a.DeleteUser(ctx, root, root.ID); codes.Of(err) != codes.ArgError {
		t.Fatalf("deleting the last admin: %v", err)
	}
	if err := a.SetRole(ctx, root, u.ID, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteUser(ctx, root, u.ID); err != nil {
		t.Fatal(err)
	}
	users, _ := a.ListUsers(ctx, root)
	if len(users) != 1 {
		t.Fatalf("users %+v", users)
	}
	recs, err := a.Audit(ctx, root, store.AuditQuery{Object: "user"})
	if err != nil || len(recs) < 5 {
		t.Fatalf("audit of user changes %+v %v", recs, err)
	}
}
