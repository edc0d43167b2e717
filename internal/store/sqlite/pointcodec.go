package sqlite

import (
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

// scanPoint reads one point row.
func scanPoint(sc scanner) (model.Point, error) {
	var p model.Point
	var r pointRow
	if err := r.scan(sc, &p); err != nil {
		return model.Point{}, err
	}
	return p, nil
}

// pointRow is what one point row is scanned into before it is decoded. A
// query reuses it from row to row: the column pointers handed to Scan make
// every variable escape, which cost a dozen allocations a row.
type pointRow struct {
	typ, access             string
	min, max                sql.NullFloat64
	def, config, proxy, raw []byte
	disabled                int
	created, updated        int64
	dest                    []any
}

// scan reads one point row into *p, which must be zero; scanning into the
// caller's slot also saves copying the point.
func (r *pointRow) scan(sc scanner, p *model.Point) error {
	if r.dest == nil {
		r.dest = []any{nil, nil, nil, nil, nil, &r.typ, &r.access, nil, &r.min, &r.max,
			&r.def, nil, nil, nil, nil, &r.config, &r.proxy, nil, &r.disabled, &r.raw,
			&r.created, &r.updated}
	}
	d := r.dest
	d[0], d[1], d[2], d[3], d[4] = &p.Gateway, &p.Device, &p.ID, &p.Name, &p.Description
	d[7], d[11], d[12], d[13], d[14], d[17] = &p.Unit, &p.Pattern, &p.Deadband, &p.IntervalMS, &p.Expr, &p.Parent
	if err := sc.Scan(d...); err != nil {
		return err
	}
	p.Type, p.Access = canonicalType(r.typ), canonicalAccess(r.access)
	p.Min, p.Max = floatPtr(r.min), floatPtr(r.max)
	p.Config, p.Raw, p.Disabled = rawOf(r.config), rawOf(r.raw), r.disabled != 0
	p.CreatedAt, p.UpdatedAt = fromNanos(r.created), fromNanos(r.updated)
	var err error
	if p.Default, err = model.DecodeDefault(p.Type, r.def); err != nil {
		return fmt.Errorf("point %s default: %w", p.FullID(), err)
	}
	if r.proxy != nil {
		p.Proxy = new(driver.Proxy)
		if err := json.Unmarshal(r.proxy, p.Proxy); err != nil {
			return fmt.Errorf("point %s proxy: %w", p.FullID(), err)
		}
	}
	return nil
}

// canonicalType and canonicalAccess return the package constants for the
// usual values, so points read together share them rather than each keeping
// its own copy.
func canonicalType(s string) driver.Type {
	for _, c := range [...]driver.Type{driver.Float, driver.Int, driver.Bool, driver.String} {
		if s == string(c) {
			return c
		}
	}
	return driver.Type(s)
}

func canonicalAccess(s string) driver.Access {
	for _, c := range [...]driver.Access{driver.Read, driver.ReadWrite, driver.Write} {
		if s == string(c) {
			return c
		}
	}
	return driver.Access(s)
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
