package model

import (
	"encoding/json"
	"strconv"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

func encodeGateway(o *object, g Gateway, force bool) {
	encodeGatewayID(o, g.ID, force)
	putString(o, "name", force, g.Name)
	putString(o, "description", force, g.Description)
	encodeLocation(o, g.Location)
}

// encodeGatewayID updates whichever of id and gateway_uuid holds a hex ID,
// leaving a legacy numeric id alone; a new table gets both.
func encodeGatewayID(o *object, id string, force bool) {
	if current, err := tbGatewayID(o); err == nil && current == id && !force {
		return
	}
	wrote := false
	for _, key := range []string{"id", "gateway_uuid"} {
		s, _ := tbString(field(o, key))
		if force || IsHexID(s, GatewayIDLen) {
			o.set(key, mustJSON(id))
			wrote = true
		}
	}
	if !wrote {
		o.set("gateway_uuid", mustJSON(id))
	}
}

// encodeLocation keeps latitude/longitude when they still say the location,
// writes a changed "lat,lon" into them, and free text into "location".
func encodeLocation(o *object, loc string) {
	if current, err := gatewayLocation(o); err == nil && current == loc {
		return
	}
	_, hasText := o.get("location")
	lat, lon, isLatLon := splitLatLon(loc)
	switch {
	case loc == "":
		o.del("location")
		o.del("latitude")
		o.del("longitude")
	case isLatLon && !hasText:
		o.set("latitude", spellNumber(field(o, "latitude"), lat))
		o.set("longitude", spellNumber(field(o, "longitude"), lon))
	default:
		o.set("location", mustJSON(loc))
	}
}

func encodeDevice(dt DeviceTable) (json.RawMessage, error) {
	d := dt.Device
	o, force := rawObject(d.Raw)
	putString(o, "name", force, d.Name)
	putString(o, "description", force, d.Description)
	cfg, err := subObject(field(o, "config"))
	if err != nil {
		cfg, force = newObject(), true
	}
	changed := putString(cfg, "driver", force, d.Driver)
	changed = putParam(cfg, "param", force, d.Config) || changed
	changed = encodeSub(cfg, d.Subscribe) || changed
	if force || d.Parent != "" || field(cfg, "parentId") != nil {
		changed = putRef(cfg, "parentId", force, d.Parent) || changed
	}
	changed = putBool(cfg, "enabled", force, true, d.Enabled) || changed
	if changed {
		o.set("config", cfg.bytes())
	}
	data := newObject()
	for _, p := range dt.Points {
		pt, err := encodePoint(p)
		if err != nil {
			return nil, err
		}
		data.set(p.ID, pt)
	}
	o.set("data", data.bytes())
	return o.bytes(), nil
}

// encodeSub writes Device.Subscribe into config.param.sub, where external
// drivers read it, when the two differ.
func encodeSub(cfg *object, subs []string) bool {
	param := field(cfg, "param")
	current, err := tbSub(param)
	if err == nil && equalStrings(current, subs) {
		return false
	}
	p, err := subObject(param)
	if err != nil {
		p = newObject()
	}
	if len(subs) == 0 {
		p.del("sub")
	} else {
		p.set("sub", mustJSON(subs))
	}
	cfg.set("param", p.bytes())
	return true
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func encodePoint(p Point) (json.RawMessage, error) {
	o, force := rawObject(p.Raw)
	putString(o, "name", force, p.Name)
	putString(o, "description", force, p.Description)
	if !p.Type.Valid() || !(p.Access.CanRead() || p.Access.CanWrite()) {
		return nil, codes.New(codes.TableNotValid, "point %s: type %q / access %q cannot be exported", p.FullID(), p.Type, p.Access)
	}
	put(o, "valuetype", force,
		func(raw json.RawMessage) bool { t, err := tbType(raw); return err == nil && t == p.Type },
		func(json.RawMessage) json.RawMessage { return mustJSON(string(p.Type)) })
	put(o, "readwrite", force,
		func(raw json.RawMessage) bool {
			a, err := tbAccess(raw)
			return (err == nil || err == errNoAccess) && a == p.Access
		},
		func(old json.RawMessage) json.RawMessage { return spellNumber(old, accessCode(p.Access)) })
	put(o, "refreshcycle", force,
		func(raw json.RawMessage) bool { n, err := tbInt(raw); return err == nil && n == p.IntervalMS },
		func(old json.RawMessage) json.RawMessage {
			return spellNumber(old, strconv.FormatInt(p.IntervalMS, 10))
		})
	encodePointLimits(o, p, force)
	putString(o, "regexp", force, p.Pattern)
	put(o, "sensibility", force,
		func(raw json.RawMessage) bool { f, err := tbFloat(raw); return err == nil && f == p.Deadband },
		func(old json.RawMessage) json.RawMessage { return spellNumber(old, formatFloat(p.Deadband)) })
	putString(o, "unit", force, p.Unit)
	if p.Expr != "" || field(o, "expr") != nil {
		putString(o, "expr", force, p.Expr)
	}
	encodePointConfig(o, p, force)
	return o.bytes(), nil
}

// accessCode is the original's readwrite spelling.
func accessCode(a driver.Access) string {
	switch a {
	case driver.Read:
		return "1"
	case driver.Write:
		return "2"
	}
	return "0"
}

func encodePointLimits(o *object, p Point, force bool) {
	def := typedDefault(p)
	put(o, "defaultvalue", force,
		func(raw json.RawMessage) bool { v, err := tbDefault(raw, p.Type); return err == nil && v == def },
		func(old json.RawMessage) json.RawMessage { return spellDefault(old, def) })
	for _, lim := range []struct {
		key string
		v   *float64
	}{{"minvalue", p.Min}, {"maxvalue", p.Max}} {
		put(o, lim.key, force,
			func(raw json.RawMessage) bool { f, err := tbOptFloat(raw); return err == nil && sameFloatPtr(f, lim.v) },
			func(old json.RawMessage) json.RawMessage {
				if lim.v == nil {
					return mustJSON("")
				}
				return spellNumber(old, formatFloat(*lim.v))
			})
	}
}

func sameFloatPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// spellDefault writes a typed default: "" for none, a JSON bool or number if
// the old value was one, a string otherwise.
func spellDefault(old json.RawMessage, v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return mustJSON("")
	case bool:
		if s := string(old); s == "true" || s == "false" {
			return mustJSON(x)
		}
		return mustJSON(strconv.FormatBool(x))
	case int64:
		return spellNumber(old, strconv.FormatInt(x, 10))
	case float64:
		return spellNumber(old, formatFloat(x))
	}
	return mustJSON(v)
}

func encodePointConfig(o *object, p Point, force bool) {
	cfg, err := subObject(field(o, "config"))
	if err != nil {
		cfg, force = newObject(), true
	}
	changed := putParam(cfg, "param", force, p.Config)
	if p.Proxy != nil || field(cfg, "proxy") != nil {
		changed = put(cfg, "proxy", force,
			func(raw json.RawMessage) bool { v, err := tbProxy(raw); return err == nil && sameProxy(v, p.Proxy) },
			func(json.RawMessage) json.RawMessage { return mustJSON(p.Proxy) }) || changed
	}
	if p.Parent != "" || field(cfg, "parentId") != nil {
		changed = putRef(cfg, "parentId", false, p.Parent) || changed
	}
	if p.Disabled || field(cfg, "disabled") != nil {
		changed = putBool(cfg, "disabled", false, false, p.Disabled) || changed
	}
	if changed {
		o.set("config", cfg.bytes())
	}
}

func sameProxy(a, b *driver.Proxy) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
