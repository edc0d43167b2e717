package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// pointArgs are the columns of pointColumns up to raw.
func pointArgs(p model.Point) ([]any, error) {
	def, err := jsonArg(p.Default, p.Default == nil)
	if err != nil {
		return nil, fmt.Errorf("default: %w", err)
	}
	proxy, err := jsonArg(p.Proxy, p.Proxy == nil)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return []any{p.Gateway, p.Device, p.ID, p.Name, p.Description, string(p.Type), string(p.Access), p.Unit,
		nullFloat(p.Min), nullFloat(p.Max), def, p.Pattern, p.Deadband, p.IntervalMS, p.Expr,
		rawArg(p.Config), proxy, p.Parent, boolInt(p.Disabled), rawBlob(p.Raw)}, nil
}

func scanPoint(sc scanner) (model.Point, error) {
	var p model.Point
	var typ, access string
	var min, max sql.NullFloat64
	var def, config, proxy, raw []byte
	var disabled int
	var created, updated int64
	if err := sc.Scan(&p.Gateway, &p.Device, &p.ID, &p.Name, &p.Description, &typ, &access, &p.Unit, &min, &max,
		&def, &p.Pattern, &p.Deadband, &p.IntervalMS, &p.Expr, &config, &proxy, &p.Parent, &disabled, &raw,
		&created, &updated); err != nil {
		return model.Point{}, err
	}
	p.Type, p.Access = driver.Type(typ), driver.Access(access)
	p.Min, p.Max = floatPtr(min), floatPtr(max)
	p.Config, p.Raw, p.Disabled = rawOf(config), rawOf(raw), disabled != 0
	p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
	var err error
	if p.Default, err = decodeDefault(p.Type, def); err != nil {
		return model.Point{}, fmt.Errorf("point %s default: %w", p.FullID(), err)
	}
	if proxy != nil {
		p.Proxy = new(driver.Proxy)
		if err := json.Unmarshal(proxy, p.Proxy); err != nil {
			return model.Point{}, fmt.Errorf("point %s proxy: %w", p.FullID(), err)
		}
	}
	return p, nil
}

// decodeDefault gives the default back in the Go type of the point's Type
// (an INT default is an int64, not the float64 JSON would make of it). A
// legacy default that does not convert is returned as decoded.
func decodeDefault(t driver.Type, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil && t == driver.Int {
			v = i
		} else if f, err := n.Float64(); err == nil {
			v = f
		}
	}
	if c, err := driver.Convert(t, v); err == nil {
		return c, nil
	}
	return v, nil
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}
