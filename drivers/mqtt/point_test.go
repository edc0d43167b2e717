package mqtt

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

func TestPayloadValue(t *testing.T) {
	cases := []struct {
		typ     driver.Type
		path    string
		payload string
		want    any // nil: a 516 error
	}{
		{driver.Float, "", "21.5", 21.5},
		{driver.Float, "$", " 21.5\n", 21.5},
		{driver.Int, "", "42", int64(42)},
		{driver.Int, "", "4.5", nil},
		{driver.Bool, "", "ON", true},
		{driver.Bool, "", "false", false},
		{driver.Bool, "$.on", `{"on": 1}`, true},
		{driver.String, "", "plain text", "plain text"},
		{driver.String, "", `"quoted"`, "quoted"},
		{driver.String, "$.a", `{"a": {"b": [1, "x"]}}`, `{"b":[1,"x"]}`},
		{driver.String, "$.n", `{"n": 12.50}`, "12.50"},
		{driver.Float, "$.t", `{"t": "19.25"}`, 19.25},
		{driver.Float, "$.t", `{"x": 1}`, nil},
		{driver.Float, "$.t", `{"t": null}`, nil},
		{driver.Float, "$.t", "not json", nil},
		{driver.String, "", "\xff\xfe", nil},
		{driver.Int, "$[1]", `[5, 6] trailing`, nil},
	}
	for _, c := range cases {
		b, err := compileBinding(point(t, "0001", c.typ, driver.Read, map[string]any{"topic": "t", "path": c.path}))
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.value(decodePayload([]byte(c.payload)))
		if c.want == nil {
			if code := codeOf(err); err == nil || code != driver.CodeTypeNotValid {
				t.Errorf("%s %s %q = %v, %v; want a 516 error", c.typ, c.path, c.payload, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %s %q = %v (%T), %v; want %v (%T)", c.typ, c.path, c.payload, got, got, err, c.want, c.want)
		}
	}
}

func TestRender(t *testing.T) {
	cases := []struct {
		template string
		value    any
		want     string
	}{
		{"", 21.5, "21.5"},
		{"", int64(3), "3"},
		{"", true, "true"},
		{"", `say "hi"`, `"say \"hi\""`},
		{`{"on": {{value}}}`, false, `{"on": false}`},
		{`{"mode": "{{value}}"}`, "eco", `{"mode": "eco"}`},
		{"{{value}}/{{value}}", int64(7), "7/7"},
	}
	for _, c := range cases {
		b, err := compileBinding(point(t, "0001", driver.String, driver.Write,
			map[string]any{"write_topic": "w", "write_payload": c.template}))
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.render(c.value)
		if err != nil || string(got) != c.want {
			t.Errorf("render %q with %v = %q, %v; want %q", c.template, c.value, got, err, c.want)
		}
	}
}
