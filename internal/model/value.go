package model

import (
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// CheckValue converts v to the point's type and checks it against the
// point's rules, in the order a write is checked (DESIGN.md §5): type (516),
// then range for INT and FLOAT and pattern for STRING (105). It returns the
// converted value. Min and max on BOOL and STRING points are a legacy
// leftover and ignored.
func CheckValue(p Point, v any) (any, error) {
	out, err := driver.Convert(p.Type, v)
	if err != nil {
		return nil, codes.New(codes.TypeNotValid, "point %s: %v", p.ID, reason(err))
	}
	switch x := out.(type) {
	case int64:
		return out, checkRangeOf(p, float64(x))
	case float64:
		return out, checkRangeOf(p, x)
	case string:
		return out, checkPattern(p, x)
	}
	return out, nil
}

// reason is a driver error's message without its "code N:" prefix, which the
// wrapping error states again.
func reason(err error) string {
	if de, ok := err.(*driver.Error); ok {
		return de.Msg
	}
	return err.Error()
}

func checkRangeOf(p Point, f float64) error {
	if p.Min != nil && f < *p.Min {
		return codes.New(codes.ArgError, "point %s: %v is below the minimum %v", p.ID, f, *p.Min)
	}
	if p.Max != nil && f > *p.Max {
		return codes.New(codes.ArgError, "point %s: %v is above the maximum %v", p.ID, f, *p.Max)
	}
	return nil
}

// checkPattern matches the whole value: a pattern describes what a valid
// value looks like, not something it merely contains.
func checkPattern(p Point, s string) error {
	if p.Pattern == "" {
		return nil
	}
	re, err := compilePattern(p.Pattern)
	if err != nil {
		return codes.New(codes.ArgError, "point %s: pattern %q does not compile: %v", p.ID, p.Pattern, err)
	}
	if !re.MatchString(s) {
		return codes.New(codes.ArgError, "point %s: %q does not match the pattern %q", p.ID, s, p.Pattern)
	}
	return nil
}

// patterns caches compiled patterns: writes check them on every call and a
// gateway has few distinct ones. The cache stops growing at maxPatterns so
// odd inputs cannot grow it without bound.
var (
	patterns     sync.Map // pattern → *regexp.Regexp
	patternCount atomic.Int64
)

const maxPatterns = 4096

func compilePattern(pattern string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, err
	}
	if patternCount.Load() < maxPatterns {
		if _, loaded := patterns.LoadOrStore(pattern, re); !loaded {
			patternCount.Add(1)
		}
	}
	return re, nil
}

// CheckWritable is code 515 for a point that may not be written.
func CheckWritable(p Point) error {
	if !p.Access.CanWrite() {
		return codes.New(codes.PropertyNotValid, "point %s is not writable (access %q)", p.ID, p.Access)
	}
	return nil
}

// CheckReadable is code 515 for a point that may not be read.
func CheckReadable(p Point) error {
	if !p.Access.CanRead() {
		return codes.New(codes.PropertyNotValid, "point %s is not readable (access %q)", p.ID, p.Access)
	}
	return nil
}
