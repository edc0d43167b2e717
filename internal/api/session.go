package api

import (
	"net"
	"net/http"
	"time"

	"github.com/iotos/iotos/internal/store"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginReply struct {
	Token   string     `json:"token"`
	User    store.User `json:"user"`
	Expires time.Time  `json:"expires"`
}

// login opens a session: the token in the reply for API clients, and the
// same token in an HttpOnly cookie for the console.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if err := s.csrf.Check(r); err != nil {
		writeError(w, errCrossOrigin)
		return
	}
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	token, u, err := s.app.Login(r.Context(), req.Username, req.Password, clientIP(r))
	if err != nil {
		writeError(w, err)
		return
	}
	expires := time.Now().Add(s.app.TokenTTL())
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
	})
	writeData(w, loginReply{Token: token, User: u, Expires: expires.UTC()})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	token, ok := bearer(r)
	if !ok {
		if c, err := r.Cookie(SessionCookie); err == nil {
			if err := s.csrf.Check(r); err != nil {
				writeError(w, errCrossOrigin)
				return
			}
			token = c.Value
		}
	}
	if token != "" {
		if err := s.app.Logout(r.Context(), token); err != nil {
			writeError(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	writeData(w, nil)
}

func (s *server) me(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	return u, nil
}

// clientIP is the throttle's notion of a client: the peer address. Proxies
// are not trusted for it, so a forged header cannot dodge the throttle.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
