package extdriver

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// exampleDriver installs one of examples/python into a drivers dir.
func exampleDriver(t *testing.T, module, class string) Options {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "python", module+".py"))
	if err != nil {
		t.Fatal(err)
	}
	return pyDriver(t, module, class, string(src))
}

func TestExampleHello(t *testing.T) {
	h := newRecHost()
	pt := driver.Point{ID: "0001", Name: "greeting", Type: driver.String, Access: driver.ReadWrite}
	d := start(t, exampleDriver(t, "hello", "HelloDriver"), h, testDevice(`{}`, pt))
	h.waitFor(t, "a greeting", func(h *recHost) bool { return len(h.valuesOf("0001")) > 0 })
	h.mu.Lock()
	got := h.valuesOf("0001")[0]
	h.mu.Unlock()
	if got != "hello, greeting" {
		t.Fatalf("value = %#v", got)
	}
	res, err := d.Write(context.Background(), pt, "hi")
	if err != nil || res.Code != 0 || res.Data.(map[string]any)["echo"] != "hi" {
		t.Fatalf("Write = %+v, %v", res, err)
	}
}

func TestExampleSimulator(t *testing.T) {
	h := newRecHost()
	pts := []driver.Point{
		{ID: "0001", Name: "level", Type: driver.Float, Access: driver.ReadWrite, Config: []byte(`{"wave": "ramp", "block": 2}`)},
		{ID: "0002", Name: "level2", Type: driver.Float, Access: driver.Read, Proxy: &driver.Proxy{Pointer: "0001", Index: 1}},
		{ID: "0003", Name: "mode", Type: driver.Int, Access: driver.Read, Config: []byte(`{"wave": "const", "value": 3}`)},
	}
	d := start(t, exampleDriver(t, "dr_sim", "SimDriver"), h, testDevice(`{"seed": 7, "mincycle": 20}`, pts...))
	h.waitFor(t, "simulated values", func(h *recHost) bool {
		return len(h.valuesOf("0001")) > 0 && len(h.valuesOf("0002")) > 0 && len(h.valuesOf("0003")) > 0
	})
	h.mu.Lock()
	mode := h.valuesOf("0003")[0]
	h.mu.Unlock()
	if mode != int64(3) {
		t.Fatalf("const INT point = %#v, want int64 3", mode)
	}
	if _, err := d.Write(context.Background(), pts[0], 42.0); err != nil {
		t.Fatal(err)
	}
	s, err := d.ReadNow(context.Background(), pts[0])
	if err != nil || s.Value != 42.0 || s.Quality != driver.Good {
		t.Fatalf("ReadNow after a write = %+v, %v; want 42", s, err)
	}
}
