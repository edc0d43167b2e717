package http

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Placeholders of a write body.
const (
	valuePlaceholder = "{{value}}"
	pointPlaceholder = "{{point}}"
)

// template is a write body compiled at Init. Every placeholder is replaced
// JSON-escaped, so any value keeps a JSON template valid: outside a JSON
// string, {{value}} becomes a JSON literal (21.5, true, "text" with its
// quotes); inside one ("{{value}}", "{{value}} °C") it becomes the escaped
// text alone, which also lets an API that wants numbers as strings get
// "21.5".
type template []segment

// segment is literal text or one placeholder.
type segment struct {
	text   string
	field  string // "" for literal text, else "value" or "point"
	quoted bool   // the placeholder sits inside a JSON string
}

// compileTemplate splits a body at its placeholders; any other {{...}} is
// an error, since a misspelt placeholder would be sent as it is.
func compileTemplate(s string) (template, error) {
	var t template
	inString := false
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			t = append(t, segment{text: s})
			break
		}
		inString = scanString(s[:i], inString)
		field := ""
		switch {
		case strings.HasPrefix(s[i:], valuePlaceholder):
			field = "value"
		case strings.HasPrefix(s[i:], pointPlaceholder):
			field = "point"
		default:
			return nil, argError("write body: unknown placeholder at %q (want {{value}} or {{point}})", clip(s[i:], 20))
		}
		n := len("{{" + field + "}}")
		if i > 0 {
			t = append(t, segment{text: s[:i]})
		}
		t = append(t, segment{field: field, quoted: inString})
		s = s[i+n:]
	}
	return t, nil
}

// scanString follows JSON string boundaries through literal text and
// reports whether the text ends inside a string, given whether it starts
// in one.
func scanString(text string, inString bool) bool {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case inString && c == '\\':
			i++ // the escaped character cannot end the string
		case c == '"':
			inString = !inString
		}
	}
	return inString
}

// render fills the template with a value and the point's name.
func (t template) render(value any, point string) ([]byte, error) {
	var b bytes.Buffer
	for _, seg := range t {
		if seg.field == "" {
			b.WriteString(seg.text)
			continue
		}
		v := value
		if seg.field == "point" {
			v = point
		}
		lit, err := jsonLiteral(v)
		if err != nil {
			return nil, err
		}
		if seg.quoted && len(lit) >= 2 && lit[0] == '"' {
			lit = lit[1 : len(lit)-1]
		}
		b.Write(lit)
	}
	return b.Bytes(), nil
}

// jsonLiteral encodes v without HTML escaping, which is for HTML pages, not
// for request bodies.
func jsonLiteral(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
