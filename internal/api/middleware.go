package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// SessionCookie is the console's session cookie.
const SessionCookie = "iotos_session"

// handlerFunc is an authenticated endpoint: it returns the reply's data, a
// bus.Reply to pass through verbatim, or an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request, u store.User) (any, error)

// handle registers an endpoint behind authentication and, for cookie
// sessions, cross-origin protection.
func (s *server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticate(r)
		if err != nil {
			writeError(w, err)
			return
		}
		data, err := h(w, r, u)
		switch {
		case err != nil:
			writeError(w, err)
		case isReply(data):
			writeReply(w, data.(bus.Reply))
		default:
			writeData(w, data)
		}
	})
}

func isReply(v any) bool {
	_, ok := v.(bus.Reply)
	return ok
}

// authenticate finds the session: a Bearer token, or the console's cookie.
// Cookies are sent by browsers on their own, so a state-changing request
// carried by one must come from our own origin; a Bearer token is never
// attached by a browser, so those requests cannot be forged that way.
func (s *server) authenticate(r *http.Request) (store.User, error) {
	if token, ok := bearer(r); ok {
		return s.app.Authenticate(r.Context(), token)
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return store.User{}, codes.New(codes.AccountNotRegister, "not logged in: send Authorization: Bearer <token>")
	}
	if err := s.csrf.Check(r); err != nil {
		return store.User{}, errCrossOrigin
	}
	return s.app.Authenticate(r.Context(), c.Value)
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):]), true
	}
	return "", false
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe counts and times every request by its route pattern (never by
// the IDs in it, which would make the metric unbounded) and logs it.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observe(route, sw.status, elapsed)
		level := slog.LevelDebug
		if sw.status >= http.StatusInternalServerError {
			level = slog.LevelWarn // a failure on our side: worth seeing without debug
		}
		s.log.LogAttrs(r.Context(), level, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
			slog.Int("status", sw.status), slog.Duration("elapsed", elapsed))
	})
}
