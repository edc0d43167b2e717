package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

const deviceColumns = `gateway, id, name, description, driver, config, enabled, parent, subscribe, template, raw, created_at, updated_at`

// CreateDevice appends a device to its gateway's table (108 if the gateway
// is missing, Conflict on a duplicate ID or name).
func (s *Store) CreateDevice(ctx context.Context, d model.Device) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := gatewayExists(ctx, tx, d.Gateway); err != nil {
			return err
		}
		var ord int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(ord), -1) + 1 FROM devices WHERE gateway = ?`, d.Gateway).Scan(&ord); err != nil {
			return fmt.Errorf("device %s.%s: %w", d.Gateway, d.ID, err)
		}
		return insertDevice(ctx, tx, d, ord)
	})
}

func insertDevice(ctx context.Context, q querier, d model.Device, ord int64) error {
	args, err := deviceArgs(d)
	if err != nil {
		return fmt.Errorf("device %s.%s: %w", d.Gateway, d.ID, err)
	}
	created, updated := store.Stamp(d.CreatedAt, d.UpdatedAt)
	args = append(args, toNanos(created), toNanos(updated), ord)
	_, err = q.ExecContext(ctx, `INSERT INTO devices (`+deviceColumns+`, ord) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	if isUnique(err) {
		return codes.Conflict("device %s or name %q already exists in gateway %s", d.ID, d.Name, d.Gateway)
	}
	if err != nil {
		return fmt.Errorf("device %s.%s: %w", d.Gateway, d.ID, err)
	}
	return nil
}

// deviceArgs are the columns of deviceColumns up to raw.
func deviceArgs(d model.Device) ([]any, error) {
	sub, err := jsonArg(d.Subscribe, len(d.Subscribe) == 0)
	if err != nil {
		return nil, err
	}
	return []any{d.Gateway, d.ID, d.Name, d.Description, d.Driver, rawArg(d.Config), boolInt(d.Enabled),
		d.Parent, sub, d.Template, rawBlob(d.Raw)}, nil
}

// GetDevice returns one device (108 or 109 if missing).
func (s *Store) GetDevice(ctx context.Context, gw, id string) (model.Device, error) {
	d, err := scanDevice(s.r.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE gateway = ? AND id = ?`, gw, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, deviceMissing(ctx, s.r, gw, id)
	}
	if err != nil {
		return d, fmt.Errorf("device %s.%s: %w", gw, id, err)
	}
	return d, nil
}

// ListDevices returns a gateway's devices in table order (108 if missing).
func (s *Store) ListDevices(ctx context.Context, gw string) ([]model.Device, error) {
	out, err := listDevices(ctx, s.r, gw)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if err := gatewayExists(ctx, s.r, gw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func listDevices(ctx context.Context, q querier, gw string) ([]model.Device, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE gateway = ? ORDER BY ord`, gw)
	if err != nil {
		return nil, fmt.Errorf("gateway %s devices: %w", gw, err)
	}
	defer rows.Close()
	out := []model.Device{}
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("gateway %s devices: %w", gw, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("gateway %s devices: %w", gw, err)
	}
	return out, nil
}

// UpdateDevice replaces a device's fields, keeping its place in the table
// (and its Raw when d.Raw is nil).
func (s *Store) UpdateDevice(ctx context.Context, d model.Device) error {
	args, err := deviceArgs(d)
	if err != nil {
		return fmt.Errorf("device %s.%s: %w", d.Gateway, d.ID, err)
	}
	// args: gateway, id, then the nine fields; reorder for the UPDATE.
	set := append(args[2:], toNanos(store.NowIfZero(d.UpdatedAt)), d.Gateway, d.ID)
	res, err := s.w.ExecContext(ctx, `UPDATE devices SET name = ?, description = ?, driver = ?, config = ?, enabled = ?,
		parent = ?, subscribe = ?, template = ?, raw = COALESCE(?, raw), updated_at = ? WHERE gateway = ? AND id = ?`, set...)
	if isUnique(err) {
		return codes.Conflict("device name %q already exists in gateway %s", d.Name, d.Gateway)
	}
	if err != nil {
		return fmt.Errorf("update device %s.%s: %w", d.Gateway, d.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return deviceMissing(ctx, s.w, d.Gateway, d.ID)
	}
	return nil
}

// DeleteDevice removes the device, its points and their last values.
func (s *Store) DeleteDevice(ctx context.Context, gw, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE gateway = ? AND id = ?`, gw, id)
		if err != nil {
			return fmt.Errorf("delete device %s.%s: %w", gw, id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return deviceMissing(ctx, tx, gw, id)
		}
		return deleteLastValuesUnder(ctx, tx, gw+"."+id)
	})
}

func scanDevice(sc scanner) (model.Device, error) {
	var d model.Device
	var config, sub, raw []byte
	var enabled int
	var created, updated int64
	if err := sc.Scan(&d.Gateway, &d.ID, &d.Name, &d.Description, &d.Driver, &config, &enabled,
		&d.Parent, &sub, &d.Template, &raw, &created, &updated); err != nil {
		return model.Device{}, err
	}
	if sub != nil {
		if err := json.Unmarshal(sub, &d.Subscribe); err != nil {
			return model.Device{}, fmt.Errorf("device %s.%s subscribe: %w", d.Gateway, d.ID, err)
		}
	}
	d.Config, d.Enabled, d.Raw = rawOf(config), enabled != 0, rawOf(raw)
	d.CreatedAt, d.UpdatedAt = fromNanos(created), fromNanos(updated)
	return d, nil
}

// deviceMissing says which parent is missing: the gateway (108) or only the
// device (109).
func deviceMissing(ctx context.Context, q querier, gw, id string) error {
	if err := gatewayExists(ctx, q, gw); err != nil {
		return err
	}
	return deviceNotFound(gw, id)
}

func deviceNotFound(gw, id string) error {
	return codes.New(codes.DeviceNotExist, "device %s does not exist in gateway %s", id, gw)
}

// deviceExists is the 108/109 check before writing under a device.
func deviceExists(ctx context.Context, q querier, gw, id string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM devices WHERE gateway = ? AND id = ?`, gw, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return deviceMissing(ctx, q, gw, id)
	}
	if err != nil {
		return fmt.Errorf("device %s.%s: %w", gw, id, err)
	}
	return nil
}
