package api

import (
	"net/http"

	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// driverInfo is one entry of GET /drivers: a registered driver's config
// spec, or an external reference form that engines resolve from their
// drivers dir (the console offers both in its device form).
type driverInfo struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Device      []driver.Field `json:"device"`
	Point       []driver.Field `json:"point"`
	External    bool           `json:"external,omitempty"`
	// Browse says the driver lists its device's address space
	// (driver.Browser), so the console offers to browse it.
	Browse bool `json:"browse,omitempty"`
	// Form is how a device names an external driver, e.g.
	// "python/<module>.<Class>"; Pattern is the regexp the name must match.
	Form    string `json:"form,omitempty"`
	Pattern string `json:"pattern,omitempty"`
}

// externalDrivers are the reference forms of out-of-process drivers. Their
// config is free-form JSON passed to the program, so they list no fields.
var externalDrivers = []driverInfo{
	{
		Name: "python", External: true, Form: "python/<module>.<Class>",
		Pattern:     `^python/[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`,
		Description: "A Python driver (IOTOSDriverI subclass) installed as <module>.py in the engine's drivers dir.",
	},
	{
		Name: "exec", External: true, Form: "exec/<name>",
		Pattern:     `^exec/[A-Za-z_][A-Za-z0-9_]*$`,
		Description: "An executable speaking the IOTOS wire protocol, installed as <name> in the engine's drivers dir.",
	},
}

// drivers lists the compiled-in drivers with their config specs, then the
// external reference forms.
func (s *server) drivers(w http.ResponseWriter, r *http.Request, u store.User) (any, error) {
	regs := driver.Registered()
	out := make([]driverInfo, 0, len(regs)+len(externalDrivers))
	for _, reg := range regs {
		out = append(out, driverInfo{
			Name: reg.Name, Description: reg.Spec.Description,
			Device: nonNilFields(reg.Spec.Device), Point: nonNilFields(reg.Spec.Point),
			Browse: browses(reg),
		})
	}
	for _, ext := range externalDrivers {
		ext.Device, ext.Point = []driver.Field{}, []driver.Field{}
		out = append(out, ext)
	}
	return out, nil
}

// browses reports whether a driver implements driver.Browser. Factories do
// no I/O, so making an instance to ask is free.
func browses(reg driver.Registration) bool {
	_, ok := reg.Factory().(driver.Browser)
	return ok
}

func nonNilFields(f []driver.Field) []driver.Field {
	if f == nil {
		return []driver.Field{}
	}
	return f
}
