package model

// tbFieldNames maps model field names onto the .tb keys a user sees in the
// file, so a problem points at what to edit.
var tbFieldNames = map[string]string{
	"type":        "valuetype",
	"access":      "readwrite",
	"interval_ms": "refreshcycle",
	"deadband":    "sensibility",
	"min":         "minvalue",
	"max":         "maxvalue",
	"default":     "defaultvalue",
	"pattern":     "regexp",
	"parent":      "config.parentId",
	"proxy":       "config.proxy",
	"config":      "config.param",
	"subscribe":   "config.param.sub",
	"driver":      "config.driver",
}

// validate adds the table-wide rules to what decoding found, skipping fields
// already reported (a field that did not decode has a zero value the rules
// would only complain about again).
func (d *tbDecoder) validate(t Table) {
	seen := make(map[Problem]bool, len(d.problems.list))
	for _, p := range d.problems.list {
		seen[Problem{Path: p.Path, Field: p.Field}] = true
	}
	// A table without its own ID or name takes the gateway it is imported
	// into, which supplies them.
	if t.Gateway.ID == "" {
		seen[Problem{Field: "id"}] = true
	}
	if t.Gateway.Name == "" {
		seen[Problem{Field: "name"}] = true
	}
	for _, p := range ValidateTable(t) {
		if tb, ok := tbFieldNames[p.Field]; ok {
			p.Field = tb
		}
		if seen[Problem{Path: p.Path, Field: p.Field}] {
			continue
		}
		d.problems.list = append(d.problems.list, p)
	}
}
