package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/iotos/iotos/internal/model"
)

// GetTable returns the gateway with all devices and points in table order,
// read from one snapshot.
func (s *Store) GetTable(ctx context.Context, gw string) (model.Table, error) {
	var t model.Table
	err := s.readTx(ctx, func(tx *sql.Tx) error {
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
			WHERE p.gateway = ? ORDER BY d.ord, p.ord`, gw)
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
// table. Last values of points that no longer exist go too; the key stays.
func (s *Store) ReplaceTable(ctx context.Context, t model.Table) error {
	gw := t.Gateway.ID
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := updateGateway(ctx, tx, t.Gateway); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE gateway = ?`, gw); err != nil {
			return fmt.Errorf("replace table %s: %w", gw, err)
		}
		// One prepared statement for every point: preparing the insert
		// again for each row costs more than the insert itself.
		ins, err := tx.PrepareContext(ctx, insertPointSQL)
		if err != nil {
			return fmt.Errorf("replace table %s: %w", gw, err)
		}
		defer ins.Close()
		for i, dt := range t.Devices {
			if err := insertDeviceTable(ctx, tx, ins, gw, dt, int64(i)); err != nil {
				return err
			}
		}
		return deleteOrphanLastValues(ctx, tx, gw)
	})
}

func insertDeviceTable(ctx context.Context, tx *sql.Tx, ins *sql.Stmt, gw string, dt model.DeviceTable, ord int64) error {
	d := dt.Device
	d.Gateway = gw
	if err := insertDevice(ctx, tx, d, ord); err != nil {
		return err
	}
	for j, p := range dt.Points {
		p.Gateway, p.Device = gw, d.ID
		args, err := insertPointArgs(p, int64(j))
		if err != nil {
			return err
		}
		_, err = ins.ExecContext(ctx, args...)
		if err := insertPointErr(p, err); err != nil {
			return err
		}
	}
	return nil
}

// prefixed qualifies each column of a comma-separated list with a table alias.
func prefixed(alias, columns string) string {
	out := make([]byte, 0, len(columns)*2)
	start := true
	for i := 0; i < len(columns); i++ {
		c := columns[i]
		if start && c != ' ' && c != '\t' && c != '\n' {
			out = append(out, alias...)
			start = false
		}
		if c == ',' {
			start = true
		}
		out = append(out, c)
	}
	return string(out)
}
