package storetest

import (
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

func testUsers(t *testing.T, s store.Store) {
	c := ctx(t)
	id, err := s.CreateUser(c, store.User{Name: "ada", Role: store.RoleAdmin, PasswordHash: []byte("h1")})
	must(t, err)
	_, err = s.CreateUser(c, store.User{Name: "ada", Role: store.RoleViewer})
	wantConflict(t, err, "duplicate user name")
	id2, err := s.CreateUser(c, store.User{Name: "bob", Role: store.RoleViewer, PasswordHash: []byte("h2")})
	must(t, err)
	if id2 == id {
		t.Fatalf("two users share ID %d", id)
	}
	u, err := s.GetUserByName(c, "ada")
	must(t, err)
	if u.ID != id || u.Role != store.RoleAdmin || string(u.PasswordHash) != "h1" || u.CreatedAt.IsZero() {
		t.Fatalf("GetUserByName = %+v", u)
	}
	u.Role, u.PasswordHash = store.RoleOperator, nil
	must(t, s.UpdateUser(c, u))
	u, err = s.GetUser(c, id)
	must(t, err)
	if u.Role != store.RoleOperator || string(u.PasswordHash) != "h1" {
		t.Fatalf("after role change %+v (a nil hash must keep the password)", u)
	}
	u.PasswordHash = []byte("h3")
	must(t, s.UpdateUser(c, u))
	if u, _ = s.GetUser(c, id); string(u.PasswordHash) != "h3" {
		t.Fatalf("password not changed: %q", u.PasswordHash)
	}
	u.Name = "bob"
	wantConflict(t, s.UpdateUser(c, u), "rename onto an existing user")
	list, err := s.ListUsers(c)
	must(t, err)
	if len(list) != 2 || list[0].Name != "ada" || list[1].Name != "bob" {
		t.Fatalf("ListUsers = %+v", list)
	}
	must(t, s.DeleteUser(c, id2))
	_, err = s.GetUser(c, id2)
	wantCode(t, err, codes.AccountNotRegister, "get deleted user")
	_, err = s.GetUserByName(c, "nobody")
	wantCode(t, err, codes.AccountNotRegister, "get missing user by name")
	wantCode(t, s.DeleteUser(c, id2), codes.AccountNotRegister, "delete missing user")
	wantCode(t, s.UpdateUser(c, store.User{ID: id2, Name: "x", Role: store.RoleViewer}), codes.AccountNotRegister, "update missing user")
}

func testTokens(t *testing.T, s store.Store) {
	c := ctx(t)
	id, err := s.CreateUser(c, store.User{Name: "ada", Role: store.RoleAdmin, PasswordHash: []byte("h")})
	must(t, err)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	must(t, s.CreateToken(c, []byte("tok-a"), id, now.Add(time.Hour)))
	must(t, s.CreateToken(c, []byte("tok-b"), id, now.Add(time.Minute)))
	u, err := s.LookupToken(c, []byte("tok-a"), now)
	must(t, err)
	if u.ID != id || u.Name != "ada" || u.Role != store.RoleAdmin {
		t.Fatalf("LookupToken = %+v", u)
	}
	_, err = s.LookupToken(c, []byte("tok-b"), now.Add(2*time.Minute))
	wantCode(t, err, codes.AccountNotRegister, "expired token")
	_, err = s.LookupToken(c, []byte("tok-a"), now.Add(time.Hour))
	wantCode(t, err, codes.AccountNotRegister, "token at its expiry instant")
	_, err = s.LookupToken(c, []byte("unknown"), now)
	wantCode(t, err, codes.AccountNotRegister, "unknown token")
	wantCode(t, s.CreateToken(c, []byte("tok-c"), id+100, now.Add(time.Hour)), codes.AccountNotRegister, "token of missing user")

	must(t, s.DeleteToken(c, []byte("tok-a")))
	_, err = s.LookupToken(c, []byte("tok-a"), now)
	wantCode(t, err, codes.AccountNotRegister, "deleted token")
	must(t, s.DeleteToken(c, []byte("tok-a"))) // logging out twice is fine

	must(t, s.CreateToken(c, []byte("tok-d"), id, now.Add(time.Hour)))
	must(t, s.DeleteUser(c, id))
	_, err = s.LookupToken(c, []byte("tok-d"), now)
	wantCode(t, err, codes.AccountNotRegister, "token of a deleted user")
}
