package extdriver

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

func TestRegistrySendsReferencesToExternalDrivers(t *testing.T) {
	builtinAsked := ""
	reg := Registry(Options{DriversDir: t.TempDir()}, func(name string) (driver.Factory, bool) {
		builtinAsked = name
		return nil, false
	})
	for _, ref := range []string{"python/dr_x.XDriver", "exec/counter"} {
		f, ok := reg(ref)
		if !ok || f == nil {
			t.Fatalf("%s: not resolved", ref)
		}
		if _, isExt := f().(*Driver); !isExt {
			t.Fatalf("%s: not an external driver", ref)
		}
	}
	if builtinAsked != "" {
		t.Fatalf("an external reference reached the built-in registry: %q", builtinAsked)
	}
	if _, ok := reg("modbus"); ok || builtinAsked != "modbus" {
		t.Fatalf("a plain name must go to the built-in registry (asked %q)", builtinAsked)
	}
}
