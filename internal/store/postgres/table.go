package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

var deviceColumnNames = []string{"gateway", "id", "name", "description", "driver", "config", "enabled", "parent",
	"subscribe", "template", "raw", "created_at", "updated_at", "ord"}

// GetTable returns the gateway with all devices and points in table order,
// read from one snapshot.
func (s *Store) GetTable(ctx context.Context, gw string) (model.Table, error) {
	var t model.Table
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		g, err := getGateway(ctx, tx, gw)
		if err != nil {
			return err
		}
		devices, err := listDevices(ctx, tx, gw)
		if err != nil {
			return err
		}
		points, err := queryPoints(ctx, tx, `SELECT `+prefixed("p.", pointColumns)+` FROM points p
			JOIN devices d ON d.gateway = p.gateway AND d.id = p.device
			WHERE p.gateway = $1 ORDER BY d.ord, p.ord`, gw)
		if err != nil {
			return fmt.Errorf("gateway %s points: %w", gw, err)
		}
		t = model.AssembleTable(g, devices, points)
		return nil
	})
	return t, err
}

// ReplaceTable replaces the gateway's descriptive fields, devices and points
// in one transaction: any failure (a duplicate name, say) leaves the old
// table. Devices and points are written with COPY, so a table of a million
// points loads in seconds. Last values of points that no longer exist go
// too; the key stays.
func (s *Store) ReplaceTable(ctx context.Context, t model.Table) error {
	gw := t.Gateway.ID
	devices := make([][]any, 0, len(t.Devices))
	var points [][]any
	for i, dt := range t.Devices {
		d := dt.Device
		d.Gateway = gw
		row, err := deviceRow(d, int64(i))
		if err != nil {
			return err
		}
		devices = append(devices, row)
		for j, p := range dt.Points {
			p.Gateway, p.Device = gw, d.ID
			row, err := pointRow(p, int64(j))
			if err != nil {
				return err
			}
			points = append(points, row)
		}
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// The UPDATE locks the gateway row: concurrent appends and replaces
		// of this gateway wait for this transaction.
		if err := updateGateway(ctx, tx, t.Gateway); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM devices WHERE gateway = $1`, gw); err != nil {
			return fmt.Errorf("replace table %s: %w", gw, err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"devices"}, deviceColumnNames, pgx.CopyFromRows(devices)); err != nil {
			return replaceErr(gw, "devices", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"points"}, pointColumnNames, pgx.CopyFromRows(points)); err != nil {
			return replaceErr(gw, "points", err)
		}
		return deleteOrphanLastValues(ctx, tx, gw)
	})
}

// replaceErr words a failed COPY: Conflict on a duplicate ID or name, naming
// the duplicate as the server reports it.
func replaceErr(gw, what string, err error) error {
	if isUnique(err) {
		return codes.Conflict("table of gateway %s has duplicate %s: %s", gw, what, pgDetail(err))
	}
	return fmt.Errorf("replace table %s %s: %w", gw, what, err)
}

// prefixed qualifies each column of a comma-separated list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
