package model

import (
	"strings"
	"sync"
	"testing"

	"github.com/iotos/iotos/internal/codes"
)

func TestExprEval(t *testing.T) {
	cases := []struct {
		src  string
		x    any
		want any
	}{
		{"x * 2", int64(21), int64(42)},
		{"x / 10", 250.0, 25.0},
		{"x * 0.1 + 3", int64(10), 4.0},
		{"x > 5", 6.0, true},
		{"upper(x)", "on", "ON"},
		{"x ? 1 : 0", true, int64(1)},
		{"abs(x)", -3.5, 3.5},
		{"round(x * 100) / 100", 1.23456, 1.23},
		{"int(x)", "12", int64(12)},
	}
	for _, c := range cases {
		e, err := CompileExpr(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got, err := e.Eval(c.x)
		if err != nil || got != c.want {
			t.Errorf("%s on %v = %#v, %v; want %#v", c.src, c.x, got, err, c.want)
		}
	}
}

func TestExprEmptyIsIdentity(t *testing.T) {
	e, err := CompileExpr("")
	if err != nil || e != nil {
		t.Fatalf("CompileExpr(\"\") = %v, %v", e, err)
	}
	if got, err := e.Eval(int64(3)); err != nil || got != int64(3) {
		t.Fatalf("nil Eval = %v, %v", got, err)
	}
}

func TestExprSandbox(t *testing.T) {
	for _, src := range []string{
		"x +",                              // syntax
		"y * 2",                            // only x exists
		"now()",                            // disabled: a transform depends on x only
		"os.Exit(1)",                       // no Go packages
		"readFile(x)",                      // no file system
		strings.Repeat("x + ", 2000) + "x", // too big
	} {
		if _, err := CompileExpr(src); codeOf(err) != codes.RuleNotRecognized {
			t.Errorf("CompileExpr(%.30q) = %v, want 517", src, err)
		}
	}
}

func TestExprRuntimeLimits(t *testing.T) {
	for _, c := range []struct {
		src string
		x   any
	}{
		{"map(1..x, # * 2)", int64(10_000_000)}, // memory budget
		{"x * 2", "text"},                       // type mismatch at run time
		{"repeat(\"a\", x)", int64(10_000_000)},
		{"x.Method()", "s"}, // nothing is callable on a value
	} {
		e, err := CompileExpr(c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if _, err := e.Eval(c.x); codeOf(err) != codes.RuleNotRecognized {
			t.Errorf("%s on %v = %v, want 517", c.src, c.x, err)
		}
	}
}

func TestExprConcurrent(t *testing.T) {
	e, err := CompileExpr("x * 3")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := int64(0); i < 500; i++ {
				got, err := e.Eval(i + int64(g))
				if err != nil || got != (i+int64(g))*3 {
					t.Errorf("Eval(%d) = %v, %v", i+int64(g), got, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func BenchmarkExprEval(b *testing.B) {
	e, err := CompileExpr("x * 0.1 + 3")
	if err != nil {
		b.Fatal(err)
	}
	x := any(123.0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Eval(x); err != nil {
			b.Fatal(err)
		}
	}
}
