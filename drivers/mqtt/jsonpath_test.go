package mqtt

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

const pathDoc = `{"temp": 21.5, "a": {"b": {"c": true}}, "sensors": [{"value": 1}, {"value": 2}],
	"key with.dots": "x", "it's": 3, "m": [[10, 11], [12]], "n": null}`

func decodeDoc(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestJSONPathEval(t *testing.T) {
	doc := decodeDoc(t, pathDoc)
	cases := []struct {
		path  string
		want  any
		found bool
	}{
		{"$.temp", json.Number("21.5"), true},
		{"$.a.b.c", true, true},
		{"$['a'][\"b\"].c", true, true},
		{"$.sensors[0].value", json.Number("1"), true},
		{"$.sensors[-1].value", json.Number("2"), true},
		{"$.sensors[2]", nil, false},
		{"$.sensors[-3]", nil, false},
		{"$['key with.dots']", "x", true},
		{`$['it\'s']`, json.Number("3"), true},
		{"$.m[0][1]", json.Number("11"), true},
		{"$.n", nil, true},
		{"$.missing", nil, false},
		{"$.temp.x", nil, false},
		{"$.a[0]", nil, false},
		{"$.sensors.value", nil, false},
	}
	for _, c := range cases {
		p, err := compilePath(c.path)
		if err != nil {
			t.Errorf("compile %s: %v", c.path, err)
			continue
		}
		got, found := p.eval(doc)
		if found != c.found || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %v, %v; want %v, %v", c.path, got, found, c.want, c.found)
		}
	}
}

func TestJSONPathWholeDocument(t *testing.T) {
	for _, s := range []string{"", "$"} {
		p, err := compilePath(s)
		if err != nil || p != nil {
			t.Errorf("compile %q = %v, %v; want the root", s, p, err)
		}
	}
}

func TestJSONPathRejects(t *testing.T) {
	for _, s := range []string{
		"temp", "$.", "$..a", "$.a.", "$[", "$[1", "$[x]", "$[+1]", "$[ 1]", "$[1:2]", "$[*]", "$.*",
		"$['a'", "$['a'x]", "$.a b", "$a", "$['a']b", "$[?(@.a)]", "$.a]",
	} {
		if p, err := compilePath(s); err == nil {
			t.Errorf("compile %q accepted: %v", s, p)
		}
	}
}

// FuzzJSONPath: compiling never panics, an accepted path prints in a form
// that compiles back to the same steps, and evaluating it on any document
// never panics.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.temp", "$.sensors[0].value", `$['a.b']["c"][-1]`, `$['it\'s']`} {
		f.Add(s, pathDoc)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, err := compilePath(path)
		if err != nil {
			return
		}
		again, err := compilePath(p.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not compile: %v", path, p.String(), err)
		}
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("%q printed as %q, which compiles to %v, not %v", path, p.String(), again, p)
		}
		var v any
		if json.Unmarshal([]byte(doc), &v) == nil {
			p.eval(v)
		}
	})
}
