package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

const pointColumns = `gateway, device, id, name, description, type, access, unit, min, max, default_value, pattern,
	deadband, interval_ms, expr, config, proxy, parent, disabled, raw, created_at, updated_at`

// CreatePoint appends a point to its device's table (108/109 if a parent is
// missing, Conflict on a duplicate ID or name).
func (s *Store) CreatePoint(ctx context.Context, p model.Point) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := deviceExists(ctx, tx, p.Gateway, p.Device); err != nil {
			return err
		}
		var ord int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(ord), -1) + 1 FROM points WHERE gateway = ? AND device = ?`,
			p.Gateway, p.Device).Scan(&ord); err != nil {
			return fmt.Errorf("point %s: %w", p.FullID(), err)
		}
		return insertPoint(ctx, tx, p, ord)
	})
}

const insertPointSQL = `INSERT INTO points (` + pointColumns + `, ord)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

func insertPoint(ctx context.Context, q querier, p model.Point, ord int64) error {
	args, err := insertPointArgs(p, ord)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, insertPointSQL, args...)
	return insertPointErr(p, err)
}

// insertPointArgs are the arguments of insertPointSQL.
func insertPointArgs(p model.Point, ord int64) ([]any, error) {
	args, err := pointArgs(p)
	if err != nil {
		return nil, fmt.Errorf("point %s: %w", p.FullID(), err)
	}
	created, updated := store.Stamp(p.CreatedAt, p.UpdatedAt)
	return append(args, toNanos(created), toNanos(updated), ord), nil
}

// insertPointErr words the error of inserting p: Conflict on a duplicate ID
// or name.
func insertPointErr(p model.Point, err error) error {
	if isUnique(err) {
		return codes.Conflict("point %s or name %q already exists in device %s.%s", p.ID, p.Name, p.Gateway, p.Device)
	}
	if err != nil {
		return fmt.Errorf("point %s: %w", p.FullID(), err)
	}
	return nil
}

// GetPoint returns one point (108, 109 or 110 if missing).
func (s *Store) GetPoint(ctx context.Context, gw, dev, id string) (model.Point, error) {
	p, err := scanPoint(s.r.QueryRowContext(ctx, `SELECT `+pointColumns+` FROM points WHERE gateway = ? AND device = ? AND id = ?`, gw, dev, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, pointMissing(ctx, s.r, gw, dev, id)
	}
	if err != nil {
		return p, fmt.Errorf("point %s.%s.%s: %w", gw, dev, id, err)
	}
	return p, nil
}

// ListPoints returns a device's points in table order.
func (s *Store) ListPoints(ctx context.Context, gw, dev string) ([]model.Point, error) {
	out, err := queryPoints(ctx, s.r, `SELECT `+pointColumns+` FROM points WHERE gateway = ? AND device = ? ORDER BY ord`, gw, dev)
	if err != nil {
		return nil, fmt.Errorf("device %s.%s points: %w", gw, dev, err)
	}
	if len(out) == 0 {
		if err := deviceExists(ctx, s.r, gw, dev); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func queryPoints(ctx context.Context, q querier, query string, args ...any) ([]model.Point, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.Point{}
	var row pointRow
	for rows.Next() {
		out = append(out, model.Point{})
		if err := row.scan(rows, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// UpdatePoint replaces a point's fields, keeping its place in the table (and
// its Raw when p.Raw is nil).
func (s *Store) UpdatePoint(ctx context.Context, p model.Point) error {
	args, err := pointArgs(p)
	if err != nil {
		return fmt.Errorf("point %s: %w", p.FullID(), err)
	}
	set := append(args[3:], toNanos(store.NowIfZero(p.UpdatedAt)), p.Gateway, p.Device, p.ID)
	res, err := s.w.ExecContext(ctx, `UPDATE points SET name = ?, description = ?, type = ?, access = ?, unit = ?, min = ?, max = ?,
		default_value = ?, pattern = ?, deadband = ?, interval_ms = ?, expr = ?, config = ?, proxy = ?, parent = ?, disabled = ?,
		raw = COALESCE(?, raw), updated_at = ? WHERE gateway = ? AND device = ? AND id = ?`, set...)
	if isUnique(err) {
		return codes.Conflict("point name %q already exists in device %s.%s", p.Name, p.Gateway, p.Device)
	}
	if err != nil {
		return fmt.Errorf("update point %s: %w", p.FullID(), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return pointMissing(ctx, s.w, p.Gateway, p.Device, p.ID)
	}
	return nil
}

// DeletePoint removes a point and its last value.
func (s *Store) DeletePoint(ctx context.Context, gw, dev, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM points WHERE gateway = ? AND device = ? AND id = ?`, gw, dev, id)
		if err != nil {
			return fmt.Errorf("delete point %s.%s.%s: %w", gw, dev, id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return pointMissing(ctx, tx, gw, dev, id)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM last_values WHERE id = ?`, gw+"."+dev+"."+id)
		return err
	})
}

// pointMissing says which level is missing: 108, 109 or 110.
func pointMissing(ctx context.Context, q querier, gw, dev, id string) error {
	if err := deviceExists(ctx, q, gw, dev); err != nil {
		return err
	}
	return codes.New(codes.DataNotExist, "point %s does not exist in device %s.%s", id, gw, dev)
}
