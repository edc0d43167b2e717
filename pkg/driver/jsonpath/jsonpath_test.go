package jsonpath

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// doc has objects, arrays and awkward keys.
const doc = `{
  "device": {"name": "pump-1", "online": true},
  "sensors": [{"id": "t1", "value": 21.5}, {"id": "t2", "value": 2}],
  "matrix": [[1, 2], [3, 4]],
  "key.with.dots": 7, "key with.dots": "x", "it's": "quoted", "nothing": null, "a-b_c": 5
}`

func decode(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEval: every supported form, its canonical print, evaluated on doc.
func TestEval(t *testing.T) {
	d := decode(t, doc)
	cases := []struct {
		path      string
		canonical string
		want      any // nil with found false
		found     bool
	}{
		{"$", "$", d, true},
		{"", "$", d, true},
		{"$.device.name", "$.device.name", "pump-1", true},
		{"$['device'][\"name\"]", "$.device.name", "pump-1", true},
		{"$.sensors[0].id", "$.sensors[0].id", "t1", true},
		{"$.sensors[-1].value", "$.sensors[-1].value", json.Number("2"), true},
		{"$.matrix[1][1]", "$.matrix[1][1]", json.Number("4"), true},
		{"$['key.with.dots']", "$['key.with.dots']", json.Number("7"), true},
		{"$['key with.dots']", "$['key with.dots']", "x", true},
		{`$['it\'s']`, `$['it\'s']`, "quoted", true},
		{"$.a-b_c", "$.a-b_c", json.Number("5"), true},
		{"$.nothing", "$.nothing", nil, true},
		{"$.sensors[2]", "$.sensors[2]", nil, false},
		{"$.sensors[-3]", "$.sensors[-3]", nil, false},
		{"$.device[0]", "$.device[0]", nil, false},
		{"$.sensors.id", "$.sensors.id", nil, false},
		{"$.device.name.x", "$.device.name.x", nil, false},
		{"$.absent.deeper", "$.absent.deeper", nil, false},
	}
	for _, c := range cases {
		p, err := Compile(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if p.String() != c.canonical {
			t.Errorf("%s prints as %s, want %s", c.path, p, c.canonical)
		}
		if p.IsRoot() != (c.canonical == "$") {
			t.Errorf("%s: IsRoot = %v", c.path, p.IsRoot())
		}
		v, found := p.Eval(d)
		if found != c.found || !reflect.DeepEqual(v, c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.path, v, found, c.want, c.found)
		}
	}
}

// TestRejects: forms that select several values or do not parse fail to
// compile.
func TestRejects(t *testing.T) {
	for _, s := range []string{
		"a.b", "temp", "$.", "$..a", "$.a.", "$.*", "$[*]", "$[0:2]", "$[1:2]", "$[0,1]", "$[?(@.a)]",
		"$[", "$[1", "$[x]", "$['a'", "$['a]", "$['a'x]", "$['a']b", "$[01]", "$[+1]", "$[ 1]", "$[]",
		"$.a b", "$a", "$.a]", "$[99999999999999999999]",
	} {
		if p, err := Compile(s); err == nil {
			t.Errorf("%q compiled to %s", s, p)
		}
	}
}

// FuzzCompile: compiling never panics; a compiled path prints as a path
// that compiles to the same steps; and a document built along the path
// yields the value planted at its end.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$.a[0].b", "$['x.y'][\"z\"]", `$['it\'s']`, "$.l[-1]", "$[3][0]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Compile(s)
		if err != nil {
			return
		}
		again, err := Compile(p.String())
		if err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("%q prints as %q, which compiles to %v (%v)", s, p, again, err)
		}
		built, ok := plant(p.steps, "planted")
		if !ok {
			return
		}
		raw, err := json.Marshal(built)
		if err != nil {
			t.Fatal(err)
		}
		if v, found := p.Eval(decode(t, string(raw))); !found || v != "planted" {
			t.Fatalf("%q on %s: %v %v", s, raw, v, found)
		}
	})
}

// FuzzEval: evaluating any compiled path on any document never panics.
func FuzzEval(f *testing.F) {
	for _, s := range []string{"$", "$.device.name", "$.sensors[0].value", `$['a.b']["c"][-1]`, `$['it\'s']`} {
		f.Add(s, doc)
	}
	f.Fuzz(func(t *testing.T, path, text string) {
		p, err := Compile(path)
		if err != nil {
			return
		}
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			p.Eval(v)
		}
	})
}

// plant builds the smallest document in which steps select v. Negative or
// huge indexes and keys that are not UTF-8 make no such document.
func plant(steps []pathStep, v any) (any, bool) {
	if len(steps) == 0 {
		return v, true
	}
	child, ok := plant(steps[1:], v)
	if !ok {
		return nil, false
	}
	st := steps[0]
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
