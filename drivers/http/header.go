package http

import (
	"net/http"
	"sort"
	"strings"
)

// header is a validated list of request headers, in a stable order so
// requests are reproducible.
type header []headerField

type headerField struct {
	name  string // canonical form
	value string
}

// parseHeaders validates header names and values at Init: a stray newline
// in a value would otherwise fail every request at run time.
func parseHeaders(m map[string]string) (header, error) {
	h := make(header, 0, len(m))
	for name, value := range m {
		if !validHeaderName(name) {
			return nil, argError("header name %q is not a valid HTTP token", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, argError("header %s: value holds a control character", name)
		}
		h = append(h, headerField{name: http.CanonicalHeaderKey(name), value: value})
	}
	sort.Slice(h, func(i, j int) bool { return h[i].name < h[j].name })
	for i := 1; i < len(h); i++ {
		if h[i].name == h[i-1].name {
			return nil, argError("header %s is set twice (names are case-insensitive)", h[i].name)
		}
	}
	return h, nil
}

// has reports whether the header sets name.
func (h header) has(name string) bool {
	name = http.CanonicalHeaderKey(name)
	for _, f := range h {
		if f.name == name {
			return true
		}
	}
	return false
}

// merge returns h with the fields of over replacing those of the same name.
func (h header) merge(over header) header {
	out := make(header, 0, len(h)+len(over))
	for _, f := range h {
		if !over.has(f.name) {
			out = append(out, f)
		}
	}
	return append(out, over...)
}

// apply sets the fields on a request. Host is the request's Host, which
// net/http ignores in the header map; it lets a device behind a reverse
// proxy be reached by address.
func (h header) apply(req *http.Request) {
	for _, f := range h {
		if f.name == "Host" {
			req.Host = f.value
			continue
		}
		req.Header.Set(f.name, f.value)
	}
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}
