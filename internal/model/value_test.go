package model

import (
	"errors"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

func f64(v float64) *float64 { return &v }

func codeOf(err error) codes.Code {
	var ce *codes.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return codes.Of(err)
}

// TestCheckValue covers conversions and rules, including the original's
// typing bugs that must not come back: BOOL "0" was true, INT "3.5" crashed.
func TestCheckValue(t *testing.T) {
	intPt := Point{ID: "0001", Type: driver.Int, Min: f64(0), Max: f64(100)}
	floatPt := Point{ID: "0002", Type: driver.Float, Min: f64(-1.5), Max: f64(1.5)}
	boolPt := Point{ID: "0003", Type: driver.Bool, Min: f64(5), Max: f64(6)} // legacy limits, ignored
	strPt := Point{ID: "0004", Type: driver.String, Pattern: `[a-z]+`, Min: f64(0), Max: f64(1)}
	cases := []struct {
		name string
		p    Point
		in   any
		want any
		code codes.Code
	}{
		{"bool string 0 is false", boolPt, "0", false, 0},
		{"bool string 1 is true", boolPt, "1", true, 0},
		{"bool word", boolPt, "true", true, 0},
		{"bool number", boolPt, float64(1), true, 0},
		{"bool 2 is not a bool", boolPt, int64(2), nil, codes.TypeNotValid},
		{"bool junk", boolPt, "yes please", nil, codes.TypeNotValid},
		{"int string", intPt, "42", int64(42), 0},
		{"int 3.5 string is an error", intPt, "3.5", nil, codes.TypeNotValid},
		{"int 3.5 float is an error", intPt, 3.5, nil, codes.TypeNotValid},
		{"int whole float", intPt, 7.0, int64(7), 0},
		{"int below min", intPt, -1, nil, codes.ArgError},
		{"int above max", intPt, "101", nil, codes.ArgError},
		{"int at max", intPt, int64(100), int64(100), 0},
		{"int nil", intPt, nil, nil, codes.TypeNotValid},
		{"float string", floatPt, " 1.25 ", 1.25, 0},
		{"float above", floatPt, 1.6, nil, codes.ArgError},
		{"float NaN", floatPt, "NaN", nil, codes.TypeNotValid},
		{"float map", floatPt, map[string]any{}, nil, codes.TypeNotValid},
		{"string match", strPt, "abc", "abc", 0},
		{"string must match whole", strPt, "abc1", nil, codes.ArgError},
		{"string from number", strPt, int64(5), nil, codes.ArgError},
		{"string ignores limits", Point{ID: "0005", Type: driver.String, Min: f64(0), Max: f64(1)}, "long text", "long text", 0},
		{"unknown type", Point{ID: "0006", Type: "JSON"}, 1, nil, codes.TypeNotValid},
		{"bad pattern", Point{ID: "0007", Type: driver.String, Pattern: "("}, "x", nil, codes.ArgError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := CheckValue(c.p, c.in)
			if code := codeOf(err); code != c.code {
				t.Fatalf("code = %d (%v), want %d", code, err, c.code)
			}
			if c.code == 0 && got != c.want {
				t.Fatalf("value = %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestCheckAccess(t *testing.T) {
	for _, c := range []struct {
		a           driver.Access
		read, write bool
	}{{driver.Read, true, false}, {driver.Write, false, true}, {driver.ReadWrite, true, true}, {"", false, false}} {
		p := Point{ID: "0001", Access: c.a}
		if err := CheckReadable(p); (err == nil) != c.read || (err != nil && codeOf(err) != codes.PropertyNotValid) {
			t.Errorf("%q CheckReadable = %v", c.a, err)
		}
		if err := CheckWritable(p); (err == nil) != c.write || (err != nil && codeOf(err) != codes.PropertyNotValid) {
			t.Errorf("%q CheckWritable = %v", c.a, err)
		}
	}
}
