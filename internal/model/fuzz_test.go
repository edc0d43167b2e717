package model

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// FuzzDecodeTB: decoding never panics, and a table that decodes exports to
// a file that decodes to the same table and exports to the same file.
func FuzzDecodeTB(f *testing.F) {
	f.Add([]byte(`{"id":"5f3c2a10b7e44d0c9a1e2b3c4d5e6f70","name":"g","properties":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, warns, err := DecodeTB(data)
		if err != nil {
			if codes.From(err).Code != codes.TableNotValid || !reflect.DeepEqual(tb, Table{}) || warns != nil {
				t.Fatalf("rejection = %v, table %+v, warnings %v", err, tb, warns)
			}
			return
		}
		out, err := EncodeTB(tb)
		if err != nil {
			t.Fatalf("EncodeTB of a decoded table: %v", err)
		}
		back, _, err := DecodeTB(out)
		if err != nil {
			t.Fatalf("export rejected: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(stripRaw(tb), stripRaw(back)) {
			t.Fatalf("decode of export differs\n%+v\n%+v\n%s", tb, back, out)
		}
		out2, err := EncodeTB(back)
		if err != nil || !sameJSON(t, out, out2) {
			t.Fatalf("second export differs (%v)\n%s\n%s", err, out, out2)
		}
	})
}

func FuzzParseFullID(f *testing.F) {
	f.Add("5f3c2a10b7e44d0c9a1e2b3c4d5e6f70.1a2b3c4d.0a01")
	f.Add("5f3c2a10b7e44d0c9a1e2b3c4d5e6f70.1a2b3c4d")
	f.Add("..")
	f.Add("5F3C2A10B7E44D0C9A1E2B3C4D5E6F70.1A2B3C4D.0A01")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseFullID(s)
		if err != nil {
			if codes.From(err).Code != codes.PointNotExist {
				t.Fatalf("%q: %v, want 111", s, err)
			}
			return
		}
		if id.String() != s || !IsHexID(id.Gateway, GatewayIDLen) || !IsHexID(id.Device, DeviceIDLen) || !IsHexID(id.Point, PointIDLen) {
			t.Fatalf("%q parsed as %+v", s, id)
		}
	})
}

// FuzzCheckValue: CheckValue never panics, fails only with 516 or 105, and
// what it accepts is of the point's Go type, within its limits, and accepted
// again unchanged.
func FuzzCheckValue(f *testing.F) {
	f.Add(uint8(0), "0", 0.0, -1.0, 1.0, "", uint8(0))
	f.Add(uint8(1), "3.5", 3.5, 0.0, 10.0, "", uint8(1))
	f.Add(uint8(2), "1e3", 1e3, 0.0, 100.0, "", uint8(2))
	f.Add(uint8(3), "abc", 0.0, 0.0, 0.0, "[a-c]+", uint8(0))
	types := []driver.Type{driver.Bool, driver.Int, driver.Float, driver.String}
	f.Fuzz(func(t *testing.T, ti uint8, s string, num, min, max float64, pattern string, form uint8) {
		p := Point{ID: "0001", Type: types[int(ti)%len(types)], Min: &min, Max: &max, Pattern: pattern}
		var in any = s
		switch form % 4 {
		case 1:
			in = num
		case 2:
			in = int64(num)
		case 3:
			in = num != 0
		}
		v, err := CheckValue(p, in)
		if err != nil {
			if c := codes.From(err).Code; c != codes.TypeNotValid && c != codes.ArgError {
				t.Fatalf("CheckValue(%v) code %d", in, c)
			}
			return
		}
		checkAccepted(t, p, v)
	})
}

func checkAccepted(t *testing.T, p Point, v any) {
	t.Helper()
	var f float64
	switch x := v.(type) {
	case bool:
		ok(t, p.Type == driver.Bool, p, v)
		return
	case string:
		ok(t, p.Type == driver.String, p, v)
	case int64:
		ok(t, p.Type == driver.Int, p, v)
		f = float64(x)
	case float64:
		ok(t, p.Type == driver.Float && !math.IsNaN(x) && !math.IsInf(x, 0), p, v)
		f = x
	default:
		t.Fatalf("value %#v of type %T", v, v)
	}
	if p.Type == driver.Int || p.Type == driver.Float {
		ok(t, f >= *p.Min && f <= *p.Max, p, v)
	}
	again, err := CheckValue(p, v)
	ok(t, err == nil && again == v, p, v)
}

func ok(t *testing.T, cond bool, p Point, v any) {
	t.Helper()
	if !cond {
		t.Fatalf("point %s %s [%v, %v] %q accepted %#v", p.ID, p.Type, *p.Min, *p.Max, p.Pattern, v)
	}
}

// FuzzSplitObject checks the fast object splitter against encoding/json on
// every valid object: same keys, same values.
func FuzzSplitObject(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":"x\"}","c":{"d":[1,{"e":null}]},"a":true}`))
	f.Add([]byte(` { "k\u00e9" : [ ] , "n" : -1.5e3 } `))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, _, err := parseObject(data)
		var ref map[string]json.RawMessage
		refErr := json.Unmarshal(data, &ref)
		if refErr != nil || ref == nil {
			if err == nil {
				t.Fatalf("parseObject accepted %q: %v", data, refErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("parseObject(%q): %v", data, err)
		}
		if len(o.keys) != len(ref) {
			t.Fatalf("keys %q, want %d", o.keys, len(ref))
		}
		for k, v := range ref {
			got, ok := o.get(k)
			if !ok || !jsonEqual(got, v) && !(isNullOrAbsent(got) && isNullOrAbsent(v)) {
				t.Fatalf("key %q = %s, want %s", k, got, v)
			}
		}
	})
}
