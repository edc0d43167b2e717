package mqtt

import (
	"fmt"
	"strconv"
	"strings"
)

// jsonPath is a compiled JSONPath of the subset the driver supports: the root
// $, dot keys ($.a.b), quoted keys ($['a.b'] or $["a b"]) and array indexes
// ($.a[0], $.a[-1] counting from the end). Filters, slices, unions and
// recursive descent are left out on purpose: a point names one value.
type jsonPath []pathStep

// pathStep is one step: a key into an object, or an index into an array.
type pathStep struct {
	key   string
	index int
	isKey bool
}

// compilePath parses a JSONPath; "" and "$" select the whole document.
func compilePath(s string) (jsonPath, error) {
	if s == "" || s == "$" {
		return nil, nil
	}
	if s[0] != '$' {
		return nil, fmt.Errorf("path %q must start with $", s)
	}
	var steps jsonPath
	for rest := s[1:]; rest != ""; {
		step, n, err := parseStep(rest)
		if err != nil {
			return nil, fmt.Errorf("path %q at offset %d: %w", s, len(s)-len(rest), err)
		}
		steps = append(steps, step)
		rest = rest[n:]
	}
	return steps, nil
}

// parseStep parses the step at the start of s and returns its length.
func parseStep(s string) (pathStep, int, error) {
	switch s[0] {
	case '.':
		return parseDotKey(s)
	case '[':
		if len(s) > 1 && (s[1] == '\'' || s[1] == '"') {
			return parseQuotedKey(s)
		}
		return parseIndex(s)
	}
	return pathStep{}, 0, fmt.Errorf("want . or [, got %q", s[0])
}

// parseDotKey parses .key, a key ending at the next . or [.
func parseDotKey(s string) (pathStep, int, error) {
	end := strings.IndexAny(s[1:], ".[]'\"")
	if end < 0 {
		end = len(s) - 1
	}
	if end == 0 {
		return pathStep{}, 0, fmt.Errorf("empty key after . (use ['...'] for unusual keys)")
	}
	key := s[1 : 1+end]
	if key == "*" || strings.ContainsAny(key, " \t") {
		return pathStep{}, 0, fmt.Errorf("key %q: use ['...'] for keys with spaces; wildcards are not supported", key)
	}
	return pathStep{key: key, isKey: true}, 1 + end, nil
}

// parseQuotedKey parses ['key'] or ["key"]; a backslash escapes the next
// character, so ['it\'s'] is the key it's.
func parseQuotedKey(s string) (pathStep, int, error) {
	quote := s[1]
	var b strings.Builder
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == quote:
			if i+1 >= len(s) || s[i+1] != ']' {
				return pathStep{}, 0, fmt.Errorf("want ] after the closing quote")
			}
			return pathStep{key: b.String(), isKey: true}, i + 2, nil
		default:
			b.WriteByte(c)
		}
	}
	return pathStep{}, 0, fmt.Errorf("unterminated quoted key")
}

// parseIndex parses [n] or [-n].
func parseIndex(s string) (pathStep, int, error) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return pathStep{}, 0, fmt.Errorf("missing ]")
	}
	digits := s[1:end]
	n, err := strconv.Atoi(digits)
	if err != nil || digits == "" || digits[0] == '+' {
		return pathStep{}, 0, fmt.Errorf("index %q is not an integer (slices and filters are not supported)", digits)
	}
	return pathStep{index: n}, end + 1, nil
}

// eval walks a decoded JSON document (as encoding/json decodes into any)
// and reports the selected value, or false when the document has no such
// element.
func (p jsonPath) eval(doc any) (any, bool) {
	v := doc
	for _, st := range p {
		var ok bool
		if v, ok = st.apply(v); !ok {
			return nil, false
		}
	}
	return v, true
}

func (st pathStep) apply(v any) (any, bool) {
	if st.isKey {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		child, ok := obj[st.key]
		return child, ok
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	i := st.index
	if i < 0 {
		i += len(arr)
	}
	if i < 0 || i >= len(arr) {
		return nil, false
	}
	return arr[i], true
}

// String renders the path in canonical form, so compile(String()) gives the
// same path back; the fuzz test holds it to that.
func (p jsonPath) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range p {
		if !st.isKey {
			fmt.Fprintf(&b, "[%d]", st.index)
			continue
		}
		b.WriteString("['")
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(st.key))
		b.WriteString("']")
	}
	return b.String()
}
