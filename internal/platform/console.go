package platform

import (
	"net/http"
)

// placeholderConsole serves the console's landing page until the web console
// is embedded: it tells a user where the API is and how to log in.
func placeholderConsole() http.Handler {
	const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IOTOS</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;color:#222}
code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>IOTOS</h1>
<p>The platform is running. The web console is not part of this build yet; use the REST API:</p>
<pre>curl -s -X POST localhost:8080/api/v1/login -d '{"username":"admin","password":"…"}'
curl -s -H "Authorization: Bearer $TOKEN" localhost:8080/api/v1/gateways</pre>
<p>Health: <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></p>
</body></html>`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write([]byte(page))
	})
}
