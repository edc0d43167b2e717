package driver

import (
	"fmt"
	"sort"
	"sync"
)

// Factory makes a new, unconfigured driver. It does no I/O.
type Factory func() Driver

// Registration is a registered driver: its name, factory and config spec.
type Registration struct {
	Name    string
	Factory Factory
	Spec    Spec
}

var (
	regMu    sync.RWMutex
	registry = map[string]Registration{}
)

// Register makes a driver available under name. Drivers call it from init();
// registering a name twice panics, since it is a programming error.
func Register(name string, spec Spec, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("driver: %q registered twice", name))
	}
	spec.Name = name
	registry[name] = Registration{Name: name, Factory: f, Spec: spec}
}

// Lookup returns the registration of a driver name.
func Lookup(name string) (Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := registry[name]
	return r, ok
}

// Registered lists every registered driver, sorted by name.
func Registered() []Registration {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Registration, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
