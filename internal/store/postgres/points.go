package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
	"github.com/jackc/pgx/v5"
)

// pointColumnNames are the columns of pointColumns, then ord, for COPY.
var pointColumnNames = []string{"gateway", "device", "id", "name", "description", "type", "access", "unit", "min", "max",
	"default_value", "pattern", "deadband", "interval_ms", "expr", "config", "proxy", "parent", "disabled", "raw",
	"created_at", "updated_at", "ord"}

const pointColumns = `gateway, device, id, name, description, type, access, unit, min, max, default_value, pattern,
	deadband, interval_ms, expr, config, proxy, parent, disabled, raw, created_at, updated_at`

// CreatePoint appends a point to its device's table (108/109 if a parent is
// missing, Conflict on a duplicate ID or name).
func (s *Store) CreatePoint(ctx context.Context, p model.Point) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockDevice(ctx, tx, p.Gateway, p.Device); err != nil {
			return err
		}
		var ord int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(ord), -1) + 1 FROM points WHERE gateway = $1 AND device = $2`,
			p.Gateway, p.Device).Scan(&ord); err != nil {
			return fmt.Errorf("point %s: %w", p.FullID(), err)
		}
		args, err := pointRow(p, ord)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO points (`+pointColumns+`, ord)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)`, args...)
		if isUnique(err) {
			return codes.Conflict("point %s or name %q already exists in device %s.%s", p.ID, p.Name, p.Gateway, p.Device)
		}
		if err != nil {
			return fmt.Errorf("point %s: %w", p.FullID(), err)
		}
		return nil
	})
}

// pointRow is a point as the values of pointColumnNames.
func pointRow(p model.Point, ord int64) ([]any, error) {
	def, err := jsonArg(p.Default, p.Default == nil)
	if err != nil {
		return nil, fmt.Errorf("point %s default: %w", p.FullID(), err)
	}
	proxy, err := jsonArg(p.Proxy, p.Proxy == nil)
	if err != nil {
		return nil, fmt.Errorf("point %s proxy: %w", p.FullID(), err)
	}
	created, updated := store.Stamp(p.CreatedAt, p.UpdatedAt)
	return []any{p.Gateway, p.Device, p.ID, p.Name, p.Description, string(p.Type), string(p.Access), p.Unit,
		p.Min, p.Max, def, p.Pattern, p.Deadband, p.IntervalMS, p.Expr, textArg(p.Config), proxy, p.Parent,
		p.Disabled, blobArg(p.Raw), created, updated, ord}, nil
}

// GetPoint returns one point (108, 109 or 110 if missing).
func (s *Store) GetPoint(ctx context.Context, gw, dev, id string) (model.Point, error) {
	p, err := scanPoint(s.pool.QueryRow(ctx, `SELECT `+pointColumns+` FROM points WHERE gateway = $1 AND device = $2 AND id = $3`, gw, dev, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, pointMissing(ctx, s.pool, gw, dev, id)
	}
	if err != nil {
		return p, fmt.Errorf("point %s.%s.%s: %w", gw, dev, id, err)
	}
	return p, nil
}

// ListPoints returns a device's points in table order.
func (s *Store) ListPoints(ctx context.Context, gw, dev string) ([]model.Point, error) {
	out, err := queryPoints(ctx, s.pool, `SELECT `+pointColumns+` FROM points WHERE gateway = $1 AND device = $2 ORDER BY ord`, gw, dev)
	if err != nil {
		return nil, fmt.Errorf("device %s.%s points: %w", gw, dev, err)
	}
	if len(out) == 0 {
		if err := deviceExists(ctx, s.pool, gw, dev); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func queryPoints(ctx context.Context, q querier, query string, args ...any) ([]model.Point, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Point, error) { return scanPoint(r) })
	if out == nil && err == nil {
		out = []model.Point{}
	}
	return out, err
}

// UpdatePoint replaces a point's fields, keeping its place in the table (and
// its Raw when p.Raw is nil).
func (s *Store) UpdatePoint(ctx context.Context, p model.Point) error {
	args, err := pointRow(p, 0)
	if err != nil {
		return err
	}
	// args: gateway, device, id, the seventeen fields, created, updated, ord.
	set := append(args[3:20:20], store.NowIfZero(p.UpdatedAt), p.Gateway, p.Device, p.ID)
	tag, err := s.pool.Exec(ctx, `UPDATE points SET name = $1, description = $2, type = $3, access = $4, unit = $5, min = $6,
		max = $7, default_value = $8, pattern = $9, deadband = $10, interval_ms = $11, expr = $12, config = $13, proxy = $14,
		parent = $15, disabled = $16, raw = COALESCE($17, raw), updated_at = $18 WHERE gateway = $19 AND device = $20 AND id = $21`, set...)
	if isUnique(err) {
		return codes.Conflict("point name %q already exists in device %s.%s", p.Name, p.Gateway, p.Device)
	}
	if err != nil {
		return fmt.Errorf("update point %s: %w", p.FullID(), err)
	}
	if tag.RowsAffected() == 0 {
		return pointMissing(ctx, s.pool, p.Gateway, p.Device, p.ID)
	}
	return nil
}

// DeletePoint removes a point and its last value.
func (s *Store) DeletePoint(ctx context.Context, gw, dev, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM points WHERE gateway = $1 AND device = $2 AND id = $3`, gw, dev, id)
		if err != nil {
			return fmt.Errorf("delete point %s.%s.%s: %w", gw, dev, id, err)
		}
		if tag.RowsAffected() == 0 {
			return pointMissing(ctx, tx, gw, dev, id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM last_values WHERE id = $1`, gw+"."+dev+"."+id); err != nil {
			return fmt.Errorf("last value of %s.%s.%s: %w", gw, dev, id, err)
		}
		return nil
	})
}

// pointMissing says which level is missing: 108, 109 or 110.
func pointMissing(ctx context.Context, q querier, gw, dev, id string) error {
	if err := deviceExists(ctx, q, gw, dev); err != nil {
		return err
	}
	return pointNotFound(gw, dev, id)
}

func scanPoint(row pgx.Row) (model.Point, error) {
	var p model.Point
	var typ, access string
	var def, config, proxy *string
	var raw []byte
	var created, updated time.Time
	if err := row.Scan(&p.Gateway, &p.Device, &p.ID, &p.Name, &p.Description, &typ, &access, &p.Unit, &p.Min, &p.Max,
		&def, &p.Pattern, &p.Deadband, &p.IntervalMS, &p.Expr, &config, &proxy, &p.Parent, &p.Disabled, &raw,
		&created, &updated); err != nil {
		return model.Point{}, err
	}
	p.Type, p.Access = driver.Type(typ), driver.Access(access)
	p.Config, p.Raw = rawOfText(config), rawOf(raw)
	p.CreatedAt, p.UpdatedAt = utc(created), utc(updated)
	if def != nil {
		var err error
		if p.Default, err = model.DecodeDefault(p.Type, []byte(*def)); err != nil {
			return model.Point{}, fmt.Errorf("point %s default: %w", p.FullID(), err)
		}
	}
	if proxy != nil {
		p.Proxy = new(driver.Proxy)
		if err := json.Unmarshal([]byte(*proxy), p.Proxy); err != nil {
			return model.Point{}, fmt.Errorf("point %s proxy: %w", p.FullID(), err)
		}
	}
	return p, nil
}
