// Package web is the IOTOS console: plain ES modules, one stylesheet and the
// vendored uPlot, embedded in the binary so `iotos serve` and `iotos demo`
// need neither Node nor files on disk. The console talks to the REST API and
// the live WebSocket stream only; it has no server-side state of its own.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed index.html static vendor
var assets embed.FS

// contentSecurityPolicy keeps the console to its own origin: no inline
// scripts, no third-party hosts. uPlot sets element styles from script, which
// CSP does not restrict; inline style attributes are allowed for the same
// reason the virtualised grids position rows with them.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Handler serves the console: index.html at "/", the assets under /static/
// and /vendor/. Anything else is 404 so a mistyped API path is not answered
// with a page. The console routes with the URL fragment, so "/" is the only
// page.
func Handler() http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		setHeaders(w)
		p := path.Clean(r.URL.Path)
		switch {
		case p == "/" || p == "/index.html":
			serveIndex(w, r)
		case isAsset(p):
			// Assets change with the binary; revalidating is cheap on
			// loopback and a stale module after an upgrade is not.
			w.Header().Set("Cache-Control", "no-cache")
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

func setHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

func serveIndex(w http.ResponseWriter, r *http.Request) {
	page, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		http.Error(w, "console not embedded", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(page)
}

// isAsset reports whether p names an embedded file (not a directory, so
// no listing is ever served).
func isAsset(p string) bool {
	if !strings.HasPrefix(p, "/static/") && !strings.HasPrefix(p, "/vendor/") {
		return false
	}
	st, err := fs.Stat(assets, strings.TrimPrefix(p, "/"))
	return err == nil && !st.IsDir()
}
