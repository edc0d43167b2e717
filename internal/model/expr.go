package model

import (
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/iotos/iotos/internal/codes"
)

// exprMemoryBudget caps what one evaluation may allocate (ranges, maps,
// strings built by builtins), so a hostile expression cannot exhaust the
// engine's memory. Transforms of one value need far less.
const exprMemoryBudget = 100_000

// exprMaxNodes bounds the size of an expression's syntax tree: a transform is
// one line, and a huge tree would only cost compile time.
const exprMaxNodes = 1000

// exprEnv is the whole world an expression sees: the raw value x. A struct
// without methods means no Go function, file or network is reachable.
type exprEnv struct {
	X any `expr:"x"`
}

// Expr is a compiled point transform (the point's expr). The original ran
// Python eval on point formulas; this is a sandboxed expression language
// instead: only x and expr's pure builtins are available.
type Expr struct {
	src     string
	program *vm.Program
	pool    sync.Pool // of *exprRun, so Eval allocates no VM or env per call
}

// exprRun is one reusable evaluation state.
type exprRun struct {
	vm  vm.VM
	env exprEnv
}

// CompileExpr compiles a transform once, for many Evals. An empty source is
// no transform: it returns nil, whose Eval returns x unchanged. A bad
// expression is code 517 (RuleNotRecognized).
func CompileExpr(src string) (*Expr, error) {
	if src == "" {
		return nil, nil
	}
	program, err := expr.Compile(src,
		expr.Env(exprEnv{}),
		expr.MaxNodes(exprMaxNodes),
		// now() would make a transform depend on when it runs, not on x.
		expr.DisableBuiltin("now"),
	)
	if err != nil {
		return nil, codes.New(codes.RuleNotRecognized, "expr %q: %v", src, err)
	}
	return &Expr{src: src, program: program}, nil
}

// String returns the expression's source.
func (e *Expr) String() string {
	if e == nil {
		return ""
	}
	return e.src
}

// Eval applies the transform to the raw value x. Integer results come back
// as int64 so they compare equal to converted point values. A failure at run
// time (a type mismatch, the memory budget) is code 517. Eval is safe for
// concurrent use.
func (e *Expr) Eval(x any) (any, error) {
	if e == nil {
		return x, nil
	}
	run, _ := e.pool.Get().(*exprRun)
	if run == nil {
		run = &exprRun{}
		run.vm.MemoryBudget = exprMemoryBudget
	}
	run.env.X = x
	out, err := run.vm.Run(e.program, &run.env)
	run.env.X = nil
	e.pool.Put(run)
	if err != nil {
		return nil, codes.New(codes.RuleNotRecognized, "expr %q on %v: %v", e.src, x, err)
	}
	return normalizeNumber(out), nil
}

// normalizeNumber maps expr's Go numeric kinds onto the model's int64 and
// float64.
func normalizeNumber(v any) any {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case uint:
		return uint64ToModel(uint64(n))
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		return uint64ToModel(n)
	case float32:
		return float64(n)
	}
	return v
}

// uint64ToModel keeps values that fit in int64 integral and turns the rest
// into float64 rather than wrapping around.
func uint64ToModel(n uint64) any {
	if n <= 1<<63-1 {
		return int64(n)
	}
	return float64(n)
}
