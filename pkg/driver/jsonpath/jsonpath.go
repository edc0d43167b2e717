// Package jsonpath is the subset of JSONPath a point needs to name one value
// in a JSON document: the root $, dot keys ($.a.b), quoted keys ($['a.b'],
// $["a b"]) and array indexes ($.a[0], $.a[-1] from the end). Wildcards,
// slices, filters and recursive descent select several values, so they are
// rejected when the path is compiled.
package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a compiled path. The zero Path selects the whole document.
type Path struct{ steps []pathStep }

// pathStep is one step: a key into an object, or an index into an array.
type pathStep struct {
	key     string
	index   int
	isIndex bool
}

// Compile parses a path; "" and "$" select the whole document.
func Compile(s string) (Path, error) {
	if s == "" || s == "$" {
		return Path{}, nil
	}
	if s[0] != '$' {
		return Path{}, fmt.Errorf("path %q must start with $", s)
	}
	var steps []pathStep
	for rest := s[1:]; rest != ""; {
		step, n, err := nextStep(rest)
		if err != nil {
			return Path{}, fmt.Errorf("path %q at offset %d: %w", s, len(s)-len(rest), err)
		}
		steps = append(steps, step)
		rest = rest[n:]
	}
	return Path{steps: steps}, nil
}

// IsRoot reports whether p selects the whole document.
func (p Path) IsRoot() bool { return len(p.steps) == 0 }

// nextStep parses the step at the start of s and returns its length.
func nextStep(s string) (pathStep, int, error) {
	switch {
	case s[0] == '.':
		return dotKey(s)
	case strings.HasPrefix(s, "['"), strings.HasPrefix(s, `["`):
		return quotedKey(s)
	case s[0] == '[':
		return arrayIndex(s)
	}
	return pathStep{}, 0, fmt.Errorf("want . or [, got %q", s[0])
}

// dotKey parses .key: letters, digits, _ and -, as in most JSONPath
// dialects; anything else needs the quoted form.
func dotKey(s string) (pathStep, int, error) {
	n := 1
	for n < len(s) && isKeyChar(s[n]) {
		n++
	}
	if n == 1 {
		if len(s) > 1 && (s[1] == '*' || s[1] == '.') {
			return pathStep{}, 0, fmt.Errorf("wildcards and recursive descent are not supported")
		}
		return pathStep{}, 0, fmt.Errorf("empty key after . (use ['...'] for unusual keys)")
	}
	return pathStep{key: s[1:n]}, n, nil
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c >= 0x80
}

// quotedKey parses ['key'] or ["key"]; a backslash escapes the next
// character, so ['it\'s'] is the key it's.
func quotedKey(s string) (pathStep, int, error) {
	quote := s[1]
	var b strings.Builder
	for i := 2; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == quote:
			if i+1 >= len(s) || s[i+1] != ']' {
				return pathStep{}, 0, fmt.Errorf("want ] after the closing quote")
			}
			return pathStep{key: b.String()}, i + 2, nil
		default:
			b.WriteByte(c)
		}
	}
	return pathStep{}, 0, fmt.Errorf("unterminated quoted key")
}

// arrayIndex parses [n] or [-n].
func arrayIndex(s string) (pathStep, int, error) {
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return pathStep{}, 0, fmt.Errorf("unterminated [")
	}
	text := s[1:end]
	i, err := strconv.Atoi(text)
	if err != nil || text == "" || text[0] == '+' || (len(text) > 1 && text[0] == '0') {
		return pathStep{}, 0, fmt.Errorf("index %q: want an integer (slices, unions and filters are not supported)", text)
	}
	return pathStep{index: i, isIndex: true}, end + 1, nil
}

// String writes the path back in canonical form: dot keys where the key
// allows it, quoted keys otherwise.
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range p.steps {
		switch {
		case st.isIndex:
			fmt.Fprintf(&b, "[%d]", st.index)
		case plainKey(st.key):
			b.WriteString("." + st.key)
		default:
			b.WriteString("['")
			b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(st.key))
			b.WriteString("']")
		}
	}
	return b.String()
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isKeyChar(k[i]) {
			return false
		}
	}
	return true
}

// Eval follows the path through a document decoded by encoding/json
// (objects as map[string]any, arrays as []any). found is false when a key
// or index is missing or a step meets the wrong kind of value.
func (p Path) Eval(doc any) (v any, found bool) {
	v = doc
	for _, st := range p.steps {
		if v, found = st.apply(v); !found {
			return nil, false
		}
	}
	return v, true
}

func (st pathStep) apply(v any) (any, bool) {
	if !st.isIndex {
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
