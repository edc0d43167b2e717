package http

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTemplate: placeholders anywhere, bare or quoted, for every value
// type; the result is JSON whenever the template is.
func TestTemplate(t *testing.T) {
	cases := []struct {
		tmpl  string
		value any
		want  string
	}{
		{"{{value}}", "a\tb", `"a\tb"`},
		{`"{{value}}"`, "a\tb", `"a\tb"`},
		{`{"v":{{value}},"p":"{{point}}"}`, int64(1), `{"v":1,"p":"fan \"2\""}`},
		{`["{{value}}", {{value}}]`, false, `["false", false]`},
		{`{"v": "{{value}} units"}`, 2.5, `{"v": "2.5 units"}`},
		{`{"v": "{{value}} units"}`, `x"y`, `{"v": "x\"y units"}`},
		{`{"a\"": {{value}}, "b": "\\", "c": {{value}}}`, "s", `{"a\"": "s", "b": "\\", "c": "s"}`},
		{`{"a": "[{{point}}]"}`, "", `{"a": "[fan \"2\"]"}`},
		{`a={{value}}&b=1`, int64(3), `a=3&b=1`},
		{`{"big": {{value}}}`, 1e21, `{"big": 1e+21}`},
		{`{"html": {{value}}}`, "<&>", `{"html": "<&>"}`},
		{"no placeholder", int64(1), "no placeholder"},
		{"", int64(1), ""},
	}
	for _, c := range cases {
		tmpl, err := compileTemplate(c.tmpl)
		if err != nil {
			t.Errorf("%s: %v", c.tmpl, err)
			continue
		}
		got, err := tmpl.render(c.value, `fan "2"`)
		if err != nil || string(got) != c.want {
			t.Errorf("%s with %v: %s (%v), want %s", c.tmpl, c.value, got, err, c.want)
		}
	}
}

// TestTemplateStaysJSON: a JSON template stays JSON for hostile strings.
func TestTemplateStaysJSON(t *testing.T) {
	tmpl, err := compileTemplate(`{"{{point}}": {{value}}, "q": "{{value}} and {{point}}", "n": [{{point}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{`"`, `\`, "\n\x00\u2028", `{{value}}`, `"}]`, "\xff"} {
		got, err := tmpl.render(v, v)
		if err != nil || !json.Valid(got) {
			t.Errorf("%q: %s (%v) is not JSON", v, got, err)
		}
	}
}

// FuzzTemplate: a template that is JSON with its placeholders standing for
// a JSON value stays JSON whatever string is written into it.
func FuzzTemplate(f *testing.F) {
	f.Add(`{"v": {{value}}}`, `x"y`)
	f.Add(`{"{{point}}": "{{value}} °C"}`, "\\")
	f.Add(`["\"{{value}}", {{point}}]`, "\n")
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		// [] is a JSON value outside strings, text inside them, and no
		// part of an escape sequence, so it models a placeholder.
		model := strings.NewReplacer(valuePlaceholder, "[]", pointPlaceholder, "[]").Replace(tmpl)
		if !json.Valid([]byte(model)) {
			return
		}
		compiled, err := compileTemplate(tmpl)
		if err != nil {
			return // a stray {{ outside the placeholders
		}
		got, err := compiled.render(value, value)
		if err != nil || !json.Valid(got) {
			t.Fatalf("template %q with %q: %q (%v) is not JSON", tmpl, value, got, err)
		}
	})
}
