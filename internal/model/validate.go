package model

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iotos/iotos/pkg/driver"
)

// MaxNameLen is the longest gateway, device or point name, in characters.
const MaxNameLen = 128

// ValidateGateway checks a gateway entered through the API: code 105 naming
// each bad field.
func ValidateGateway(g Gateway) error {
	var ps problems
	checkGateway(&ps, "", g)
	return argError("gateway", g.ID, ps.list)
}

// ValidateDevice checks a device entered through the API (its own fields; the
// parent's existence is the caller's or ValidateTable's business).
func ValidateDevice(d Device) error {
	var ps problems
	checkDevice(&ps, "", d)
	return argError("device", d.ID, ps.list)
}

// ValidatePoint checks a point entered through the API.
func ValidatePoint(p Point) error {
	var ps problems
	checkPoint(&ps, "", p)
	return argError("point", p.ID, ps.list)
}

func checkGateway(ps *problems, path string, g Gateway) {
	if !IsHexID(g.ID, GatewayIDLen) {
		ps.add(path, "id", "%q is not %d lowercase hex digits", g.ID, GatewayIDLen)
	}
	checkName(ps, path, g.Name)
}

func checkDevice(ps *problems, path string, d Device) {
	if !IsHexID(d.ID, DeviceIDLen) {
		ps.add(path, "id", "%q is not %d lowercase hex digits", d.ID, DeviceIDLen)
	}
	checkName(ps, path, d.Name)
	checkDriverRef(ps, path, d.Driver)
	if d.Parent != "" && !IsHexID(d.Parent, DeviceIDLen) {
		ps.add(path, "parent", "%q is not a device ID", d.Parent)
	}
	if d.Parent != "" && d.Parent == d.ID {
		ps.add(path, "parent", "a device cannot be its own parent")
	}
	if len(d.Config) > 0 && !jsonValid(d.Config) {
		ps.add(path, "config", "not valid JSON")
	}
	for _, s := range d.Subscribe {
		if !validSubscription(s) {
			ps.add(path, "subscribe", "%q is not dev.* or dev.pt", s)
		}
	}
}

func checkPoint(ps *problems, path string, p Point) {
	if !IsHexID(p.ID, PointIDLen) {
		ps.add(path, "id", "%q is not %d lowercase hex digits", p.ID, PointIDLen)
	}
	checkName(ps, path, p.Name)
	if !p.Type.Valid() {
		ps.add(path, "type", "%q is not BOOL, INT, FLOAT or STRING", p.Type)
	}
	if !p.Access.CanRead() && !p.Access.CanWrite() {
		ps.add(path, "access", "%q is not r, w or rw", p.Access)
	}
	checkRange(ps, path, p)
	if p.Pattern != "" {
		if _, err := regexp.Compile(p.Pattern); err != nil {
			ps.add(path, "pattern", "does not compile: %v", err)
		}
	}
	if p.Deadband < 0 || math.IsNaN(p.Deadband) || math.IsInf(p.Deadband, 0) {
		ps.add(path, "deadband", "must be a finite number ≥ 0, not %v", p.Deadband)
	}
	if p.IntervalMS < 0 {
		ps.add(path, "interval_ms", "must be ≥ 0, not %d", p.IntervalMS)
	}
	if _, err := CompileExpr(p.Expr); err != nil {
		ps.add(path, "expr", "%v", err)
	}
	if p.Default != nil && p.Type.Valid() {
		if _, err := driver.Convert(p.Type, p.Default); err != nil {
			ps.add(path, "default", "%v does not convert to %s", p.Default, p.Type)
		}
	}
	if p.Parent != "" && !IsHexID(p.Parent, PointIDLen) {
		ps.add(path, "parent", "%q is not a point ID", p.Parent)
	}
	if len(p.Config) > 0 && !jsonValid(p.Config) {
		ps.add(path, "config", "not valid JSON")
	}
}

// checkRange checks min and max where they mean something: on BOOL and
// STRING points they are a legacy leftover and ignored.
func checkRange(ps *problems, path string, p Point) {
	checkFinite(ps, path, "min", p.Min)
	checkFinite(ps, path, "max", p.Max)
	if p.Type != driver.Int && p.Type != driver.Float {
		return
	}
	if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
		ps.add(path, "min", "min %v is greater than max %v", *p.Min, *p.Max)
	}
}

// checkName enforces names that can be used in relative references
// ("dev.pt", hence no '.') and shown safely in a console or a log line.
func checkName(ps *problems, path, name string) {
	switch {
	case strings.TrimSpace(name) == "":
		ps.add(path, "name", "must not be empty")
	case !utf8.ValidString(name):
		ps.add(path, "name", "is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxNameLen:
		ps.add(path, "name", "longer than %d characters", MaxNameLen)
	case strings.ContainsRune(name, '.'):
		ps.add(path, "name", "%q contains '.', which separates dev.pt references", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		ps.add(path, "name", "%q contains control characters", name)
	}
}

// driverRef is a registered driver name, or an external reference such as
// "python/dr_x.XDriver" or "exec/name". Engines run only programs from their
// own drivers dir, chosen by name, so a reference may never be a path.
var driverRef = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(/[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?)?$`)

func checkDriverRef(ps *problems, path, ref string) {
	switch {
	case ref == "":
		ps.add(path, "driver", "must not be empty")
	case len(ref) > MaxNameLen || !driverRef.MatchString(ref):
		ps.add(path, "driver", "%q is not a driver name or a reference like python/module.Class", ref)
	}
}

// validSubscription accepts "dev.*" and "dev.pt" by ID, and names (names
// resolve to IDs the same way), but nothing with a wildcard elsewhere.
func validSubscription(s string) bool {
	dev, pt, ok := strings.Cut(s, ".")
	if !ok || dev == "" || pt == "" || strings.Contains(pt, ".") || dev == "*" {
		return false
	}
	return pt == "*" || !strings.Contains(pt, "*")
}

func checkFinite(ps *problems, path, field string, v *float64) {
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
		ps.add(path, field, "must be a finite number")
	}
}

func jsonValid(raw []byte) bool { return json.Valid(raw) }
