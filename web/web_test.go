package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Result()
}

func TestHandlerServesTheConsole(t *testing.T) {
	h := Handler()
	cases := []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/", "text/html; charset=utf-8", 200},
		{"/index.html", "text/html; charset=utf-8", 200},
		{"/static/app.js", "text/javascript; charset=utf-8", 200},
		{"/static/style.css", "text/css; charset=utf-8", 200},
		{"/vendor/uplot.esm.js", "text/javascript; charset=utf-8", 200},
		{"/static/", "", 404},          // no directory listings
		{"/vendor", "", 404},           // nor of the vendor dir
		{"/static/../web.go", "", 404}, // nothing outside the assets
		{"/static/nope.js", "", 404},   // unknown asset
		{"/api/v1/nothing", "", 404},   // not a page
		{"/web.go", "", 404},           // the package source is not embedded
		{"/static/missing/../app.js", "text/javascript; charset=utf-8", 200},
	}
	for _, c := range cases {
		res := get(t, h, http.MethodGet, c.path)
		if res.StatusCode != c.wantStatus {
			t.Errorf("GET %s: status %d, want %d", c.path, res.StatusCode, c.wantStatus)
			continue
		}
		if c.wantType != "" && res.Header.Get("Content-Type") != c.wantType {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, res.Header.Get("Content-Type"), c.wantType)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: CSP %q does not restrict scripts", c.path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", c.path)
		}
	}
}

func TestHandlerRefusesStateChangingMethods(t *testing.T) {
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		if res := get(t, Handler(), m, "/"); res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /: status %d, want 405", m, res.StatusCode)
		}
	}
	if res := get(t, Handler(), http.MethodHead, "/"); res.StatusCode != 200 {
		t.Errorf("HEAD /: status %d", res.StatusCode)
	}
}

// TestEveryModuleImportResolves checks that each ES module's imports name
// an embedded file, so a renamed module cannot break the console unnoticed
// until a browser loads it.
func TestEveryModuleImportResolves(t *testing.T) {
	imports := regexp.MustCompile(`(?m)^import .* from '([^']+)';$`)
	err := fs.WalkDir(assets, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		src, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		for _, m := range imports.FindAllStringSubmatch(string(src), -1) {
			target := strings.TrimPrefix(m[1], "/")
			if strings.HasPrefix(m[1], "./") {
				target = "static/" + strings.TrimPrefix(m[1], "./")
			}
			if _, err := fs.Stat(assets, target); err != nil {
				t.Errorf("%s imports %s, which is not embedded", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIndexLoadsOnlyEmbeddedAssets(t *testing.T) {
	res := get(t, Handler(), http.MethodGet, "/")
	body, _ := io.ReadAll(res.Body)
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(body), -1)
	if len(refs) < 3 {
		t.Fatalf("index.html references %d assets, want the app, its stylesheet and uPlot's", len(refs))
	}
	for _, r := range refs {
		if st := get(t, Handler(), http.MethodGet, r[1]).StatusCode; st != 200 {
			t.Errorf("index.html references %s, which answers %d", r[1], st)
		}
	}
}
