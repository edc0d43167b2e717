package http

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestJSONPath: every supported form, evaluated on one document.
func TestJSONPath(t *testing.T) {
	var doc any
	dec := json.NewDecoder(strings.NewReader(nested))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path      string
		canonical string
		want      any // nil with found false
		found     bool
	}{
		{"$", "$", doc, true},
		{"", "$", doc, true},
		{"$.device.name", "$.device.name", "pump-1", true},
		{"$['device'][\"name\"]", "$.device.name", "pump-1", true},
		{"$.sensors[0].id", "$.sensors[0].id", "t1", true},
		{"$.sensors[-1].id", "$.sensors[-1].id", "t2", true},
		{"$.matrix[1][1]", "$.matrix[1][1]", json.Number("4"), true},
		{"$['key.with.dots']", "$['key.with.dots']", json.Number("7"), true},
		{`$['it\'s']`, `$['it\'s']`, "quoted", true},
		{"$.nothing", "$.nothing", nil, true},
		{"$.sensors[2]", "$.sensors[2]", nil, false},
		{"$.sensors[-3]", "$.sensors[-3]", nil, false},
		{"$.device[0]", "$.device[0]", nil, false},
		{"$.sensors.id", "$.sensors.id", nil, false},
		{"$.absent.deeper", "$.absent.deeper", nil, false},
	}
	for _, c := range cases {
		p, err := compilePath(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if p.String() != c.canonical {
			t.Errorf("%s prints as %s, want %s", c.path, p, c.canonical)
		}
		v, found := p.eval(doc)
		if found != c.found || !reflect.DeepEqual(v, c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.path, v, found, c.want, c.found)
		}
	}
}

// TestJSONPathRejects: forms that select several values or do not parse
// fail to compile.
func TestJSONPathRejects(t *testing.T) {
	for _, p := range []string{"a.b", "$.", "$..a", "$.*", "$[*]", "$[0:2]", "$[0,1]", "$[?(@.a)]",
		"$[", "$['a'", "$['a]", "$['a'x]", "$[01]", "$[+1]", "$[]", "$.a b", "$a", "$[99999999999999999999]"} {
		if _, err := compilePath(p); err == nil {
			t.Errorf("%q compiled", p)
		}
	}
}

// FuzzJSONPath: compiling never panics; a compiled path prints as a path
// that compiles to the same steps; and a document built along the path
// yields the value planted at its end.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$.a[0].b", "$['x.y'][\"z\"]", `$['it\'s']`, "$.l[-1]", "$[3][0]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := compilePath(s)
		if err != nil {
			return
		}
		again, err := compilePath(p.String())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("%q prints as %q, which compiles to %v (%v)", s, p, again, err)
		}
		doc, ok := plant(p, "planted")
		if !ok {
			return
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		decoded := decodePayload(raw)
		if v, found := p.eval(decoded.doc); !found || v != "planted" {
			t.Fatalf("%q on %s: %v %v", s, raw, v, found)
		}
		if !bytes.Contains(raw, []byte("planted")) {
			t.Fatalf("document %s lost the value", raw)
		}
	})
}

// plant builds the smallest document in which p selects v. Negative or
// huge indexes and keys that are not UTF-8 make no such document.
func plant(p jsonPath, v any) (any, bool) {
	if len(p) == 0 {
		return v, true
	}
	child, ok := plant(p[1:], v)
	if !ok {
		return nil, false
	}
	st := p[0]
	if !st.isIndex {
		if !utf8.ValidString(st.key) {
			return nil, false // JSON text cannot carry the key
		}
		return map[string]any{st.key: child}, true
	}
	if st.index < 0 || st.index > 1000 {
		return nil, false
	}
	arr := make([]any, st.index+1)
	arr[st.index] = child
	return arr, true
}
