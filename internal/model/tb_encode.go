package model

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// EncodeTB writes a table as a .tb file. Each object that came from an
// import is written over its Raw: a field whose model value still reads the
// same from the imported spelling keeps that spelling, so unknown keys,
// legacy numeric ids, nulls and string-vs-number spellings survive a round
// trip. Objects made through the API get the standard fields. Devices and
// points are written in table order.
func EncodeTB(t Table) ([]byte, error) {
	if err := checkEncodable(t); err != nil {
		return nil, err
	}
	root, force := rawObject(t.Gateway.Raw)
	encodeGateway(root, t.Gateway, force)
	props := newObject()
	for _, dt := range t.Devices {
		dev, err := encodeDevice(dt)
		if err != nil {
			return nil, err
		}
		props.set(dt.Device.ID, dev)
	}
	root.set("properties", props.bytes())
	var out bytes.Buffer
	if err := json.Indent(&out, root.bytes(), "", "  "); err != nil {
		return nil, codes.New(codes.TableNotValid, "gateway %s: export: %v", t.Gateway.ID, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// rawObject parses an imported object; force is true when there is none (or
// it no longer parses) and every standard field must be written.
func rawObject(raw json.RawMessage) (o *object, force bool) {
	if len(raw) == 0 {
		return newObject(), true
	}
	o, _, err := parseObject(raw)
	if err != nil {
		return newObject(), true
	}
	return o, false
}

// checkEncodable rejects values JSON cannot carry, before anything is built.
func checkEncodable(t Table) error {
	for _, dt := range t.Devices {
		for _, p := range dt.Points {
			for _, f := range []*float64{p.Min, p.Max, &p.Deadband} {
				if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
					return codes.New(codes.TableNotValid, "point %s: %v cannot be exported", p.FullID(), *f)
				}
			}
		}
	}
	return nil
}

// put writes key unless the object already says the same (same reports
// whether the current raw value, nil when absent, reads as the model value).
// It reports whether it wrote.
func put(o *object, key string, force bool, same func(json.RawMessage) bool, spell func(old json.RawMessage) json.RawMessage) bool {
	old, _ := o.get(key)
	if !force && same(old) {
		return false
	}
	o.set(key, spell(old))
	return true
}

func putString(o *object, key string, force bool, v string) bool {
	return put(o, key, force,
		func(raw json.RawMessage) bool { s, err := tbString(raw); return err == nil && s == v },
		func(json.RawMessage) json.RawMessage { return mustJSON(v) })
}

// putRef writes an optional reference (parentId): "" is written as null.
func putRef(o *object, key string, force bool, v string) bool {
	return put(o, key, force,
		func(raw json.RawMessage) bool { s, err := tbString(raw); return err == nil && s == v },
		func(json.RawMessage) json.RawMessage {
			if v == "" {
				return json.RawMessage("null")
			}
			return mustJSON(v)
		})
}

func putBool(o *object, key string, force, def, v bool) bool {
	return put(o, key, force,
		func(raw json.RawMessage) bool { b, err := tbBool(raw, def); return err == nil && b == v },
		func(old json.RawMessage) json.RawMessage { return mustJSON(v) })
}

// putParam writes a driver config, compared as JSON values so spacing and
// key order in the imported file survive.
func putParam(o *object, key string, force bool, v json.RawMessage) bool {
	return put(o, key, force,
		func(raw json.RawMessage) bool { return jsonEqual(raw, v) },
		func(json.RawMessage) json.RawMessage {
			if isNullOrAbsent(v) {
				return json.RawMessage("{}")
			}
			return v
		})
}

// jsonEqual compares two JSON texts as values; absent and null are equal.
func jsonEqual(a, b json.RawMessage) bool {
	if isNullOrAbsent(a) || isNullOrAbsent(b) {
		return isNullOrAbsent(a) && isNullOrAbsent(b)
	}
	av, err1 := decodeAny(a)
	bv, err2 := decodeAny(b)
	return err1 == nil && err2 == nil && reflect.DeepEqual(av, bv)
}

// spellNumber writes a number the way the old value was written: a JSON
// number if it was one, otherwise a string, as the original tables do.
func spellNumber(old json.RawMessage, text string) json.RawMessage {
	old = bytes.TrimSpace(old)
	if len(old) > 0 && (old[0] == '-' || old[0] >= '0' && old[0] <= '9') {
		return json.RawMessage(text)
	}
	return mustJSON(text)
}

func formatFloat(f float64) string {
	if math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// typedDefault is the default as the point's type holds it, nil when there is
// none or it does not convert.
func typedDefault(p Point) any {
	if p.Default == nil || !p.Type.Valid() {
		return nil
	}
	v, err := driver.Convert(p.Type, p.Default)
	if err != nil {
		return nil
	}
	return v
}
