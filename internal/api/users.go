package api

import (
	"net/http"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

func (s *server) audit(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	before, err := queryInt(r, "before")
	if err != nil {
		return nil, err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return s.app.Audit(r.Context(), u, store.AuditQuery{Object: q.Get("object"), User: q.Get("user"), Before: before, Limit: clampInt(limit)})
}

func (s *server) listUsers(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return s.app.ListUsers(r.Context(), u)
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	var in app.UserInput
	if err := decodeJSON(w, r, &in); err != nil {
		return nil, err
	}
	return s.app.CreateUser(r.Context(), u, in)
}

func (s *server) getUser(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	id, err := pathUserID(r)
	if err != nil {
		return nil, err
	}
	return s.app.GetUser(r.Context(), u, id)
}

type userUpdate struct {
	Password *string    `json:"password"`
	Role     store.Role `json:"role"`
}

// updateUser changes a password, a role, or both.
func (s *server) updateUser(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	id, err := pathUserID(r)
	if err != nil {
		return nil, err
	}
	var req userUpdate
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	if req.Password == nil && req.Role == "" {
		return nil, codes.New(codes.ArgError, "user %d: give password or role", id)
	}
	if req.Role != "" {
		if err := s.app.SetRole(r.Context(), u, id, req.Role); err != nil {
			return nil, err
		}
	}
	if req.Password != nil {
		if err := s.app.SetPassword(r.Context(), u, id, *req.Password); err != nil {
			return nil, err
		}
	}
	return s.app.GetUser(r.Context(), u, id)
}

func (s *server) deleteUser(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	id, err := pathUserID(r)
	if err != nil {
		return nil, err
	}
	return nil, s.app.DeleteUser(r.Context(), u, id)
}
