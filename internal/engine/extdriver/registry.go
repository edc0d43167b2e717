package extdriver

import (
	"log/slog"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
)

// IsRef reports whether a device's driver name is an external reference
// ("python/<module>.<Class>" or "exec/<name>") rather than a built-in name.
func IsRef(name string) bool {
	return strings.HasPrefix(name, "python/") || strings.HasPrefix(name, "exec/")
}

// Registry returns the engine's driver lookup: external references become
// external drivers run from base.DriversDir (each device gets its own
// instance with base's settings and Ref set to its name); every other name
// goes to builtin.
func Registry(base Options, builtin func(string) (driver.Factory, bool)) func(string) (driver.Factory, bool) {
	return func(name string) (driver.Factory, bool) {
		if !IsRef(name) {
			return builtin(name)
		}
		return func() driver.Driver {
			o := base
			o.Ref = name
			if o.Logger == nil {
				o.Logger = slog.Default()
			}
			return New(o)
		}, true
	}
}
