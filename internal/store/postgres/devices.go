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
	"github.com/jackc/pgx/v5"
)

const deviceColumns = `gateway, id, name, description, driver, config, enabled, parent, subscribe, template, raw, created_at, updated_at`

// CreateDevice appends a device to its gateway's table (108 if the gateway
// is missing, Conflict on a duplicate ID or name).
func (s *Store) CreateDevice(ctx context.Context, d model.Device) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockGateway(ctx, tx, d.Gateway); err != nil {
			return err
		}
		var ord int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(ord), -1) + 1 FROM devices WHERE gateway = $1`, d.Gateway).Scan(&ord); err != nil {
			return fmt.Errorf("device %s.%s: %w", d.Gateway, d.ID, err)
		}
		args, err := deviceRow(d, ord)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO devices (`+deviceColumns+`, ord) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`, args...)
		if isUnique(err) {
			return codes.Conflict("device %s or name %q already exists in gateway %s", d.ID, d.Name, d.Gateway)
		}
		if err != nil {
			return fmt.Errorf("device %s.%s: %w", d.Gateway, d.ID, err)
		}
		return nil
	})
}

// deviceRow is a device as the values of deviceColumns, then ord.
func deviceRow(d model.Device, ord int64) ([]any, error) {
	sub, err := jsonArg(d.Subscribe, len(d.Subscribe) == 0)
	if err != nil {
		return nil, fmt.Errorf("device %s.%s subscribe: %w", d.Gateway, d.ID, err)
	}
	created, updated := store.Stamp(d.CreatedAt, d.UpdatedAt)
	return []any{d.Gateway, d.ID, d.Name, d.Description, d.Driver, textArg(d.Config), d.Enabled,
		d.Parent, sub, d.Template, blobArg(d.Raw), created, updated, ord}, nil
}

// GetDevice returns one device (108 or 109 if missing).
func (s *Store) GetDevice(ctx context.Context, gw, id string) (model.Device, error) {
	d, err := scanDevice(s.pool.QueryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE gateway = $1 AND id = $2`, gw, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, deviceMissing(ctx, s.pool, gw, id)
	}
	if err != nil {
		return d, fmt.Errorf("device %s.%s: %w", gw, id, err)
	}
	return d, nil
}

// ListDevices returns a gateway's devices in table order (108 if missing).
func (s *Store) ListDevices(ctx context.Context, gw string) ([]model.Device, error) {
	out, err := listDevices(ctx, s.pool, gw)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if err := gatewayExists(ctx, s.pool, gw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func listDevices(ctx context.Context, q querier, gw string) ([]model.Device, error) {
	rows, err := q.Query(ctx, `SELECT `+deviceColumns+` FROM devices WHERE gateway = $1 ORDER BY ord`, gw)
	if err != nil {
		return nil, fmt.Errorf("gateway %s devices: %w", gw, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Device, error) { return scanDevice(r) })
	if err != nil {
		return nil, fmt.Errorf("gateway %s devices: %w", gw, err)
	}
	if out == nil {
		out = []model.Device{}
	}
	return out, nil
}

// UpdateDevice replaces a device's fields, keeping its place in the table
// (and its Raw when d.Raw is nil).
func (s *Store) UpdateDevice(ctx context.Context, d model.Device) error {
	sub, err := jsonArg(d.Subscribe, len(d.Subscribe) == 0)
	if err != nil {
		return fmt.Errorf("device %s.%s subscribe: %w", d.Gateway, d.ID, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE devices SET name = $1, description = $2, driver = $3, config = $4, enabled = $5,
		parent = $6, subscribe = $7, template = $8, raw = COALESCE($9, raw), updated_at = $10 WHERE gateway = $11 AND id = $12`,
		d.Name, d.Description, d.Driver, textArg(d.Config), d.Enabled, d.Parent, sub, d.Template, blobArg(d.Raw),
		store.NowIfZero(d.UpdatedAt), d.Gateway, d.ID)
	if isUnique(err) {
		return codes.Conflict("device name %q already exists in gateway %s", d.Name, d.Gateway)
	}
	if err != nil {
		return fmt.Errorf("update device %s.%s: %w", d.Gateway, d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return deviceMissing(ctx, s.pool, d.Gateway, d.ID)
	}
	return nil
}

// DeleteDevice removes the device, its points and their last values.
func (s *Store) DeleteDevice(ctx context.Context, gw, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM devices WHERE gateway = $1 AND id = $2`, gw, id)
		if err != nil {
			return fmt.Errorf("delete device %s.%s: %w", gw, id, err)
		}
		if tag.RowsAffected() == 0 {
			return deviceMissing(ctx, tx, gw, id)
		}
		return deleteLastValuesUnder(ctx, tx, gw+"."+id)
	})
}

func scanDevice(row pgx.Row) (model.Device, error) {
	var d model.Device
	var config, sub *string
	var raw []byte
	var created, updated time.Time
	if err := row.Scan(&d.Gateway, &d.ID, &d.Name, &d.Description, &d.Driver, &config, &d.Enabled,
		&d.Parent, &sub, &d.Template, &raw, &created, &updated); err != nil {
		return model.Device{}, err
	}
	if sub != nil {
		if err := json.Unmarshal([]byte(*sub), &d.Subscribe); err != nil {
			return model.Device{}, fmt.Errorf("device %s.%s subscribe: %w", d.Gateway, d.ID, err)
		}
	}
	d.Config, d.Raw = rawOfText(config), rawOf(raw)
	d.CreatedAt, d.UpdatedAt = utc(created), utc(updated)
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

// lockDevice checks that the device exists (108/109 otherwise) and locks its
// row against concurrent appends, so point order numbers are unique.
func lockDevice(ctx context.Context, tx pgx.Tx, gw, id string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM devices WHERE gateway = $1 AND id = $2 FOR NO KEY UPDATE`, gw, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return deviceMissing(ctx, tx, gw, id)
	}
	if err != nil {
		return fmt.Errorf("device %s.%s: %w", gw, id, err)
	}
	return nil
}

// deviceExists is the 108/109 check.
func deviceExists(ctx context.Context, q querier, gw, id string) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM devices WHERE gateway = $1 AND id = $2`, gw, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return deviceMissing(ctx, q, gw, id)
	}
	if err != nil {
		return fmt.Errorf("device %s.%s: %w", gw, id, err)
	}
	return nil
}
