package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// SaveLastValues upserts samples; a stored sample with a newer TS wins.
func (s *Store) SaveLastValues(ctx context.Context, samples []model.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO last_values (id, kind, value, ts, quality, code) VALUES (?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, value = excluded.value, ts = excluded.ts,
				quality = excluded.quality, code = excluded.code
			WHERE excluded.ts >= last_values.ts`)
		if err != nil {
			return fmt.Errorf("save last values: %w", err)
		}
		defer stmt.Close()
		for _, sm := range samples {
			// The kind is stored with the value: SQLite's integers cannot
			// tell a bool from an int.
			kind, v, err := normalize(sm.Value)
			if err != nil {
				return fmt.Errorf("last value %s: %w", sm.ID, err)
			}
			if _, err := stmt.ExecContext(ctx, sm.ID, kind, v, sm.TS, string(sm.Quality), sm.Code); err != nil {
				return fmt.Errorf("last value %s: %w", sm.ID, err)
			}
		}
		return nil
	})
}

// LastValues returns every stored last value.
func (s *Store) LastValues(ctx context.Context) ([]model.Sample, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, value, ts, quality, code FROM last_values`)
	if err != nil {
		return nil, fmt.Errorf("last values: %w", err)
	}
	defer rows.Close()
	out := []model.Sample{}
	for rows.Next() {
		var sm model.Sample
		var kind byte
		var v any
		var q string
		if err := rows.Scan(&sm.ID, &kind, &v, &sm.TS, &q, &sm.Code); err != nil {
			return nil, fmt.Errorf("last values: %w", err)
		}
		if sm.Value, err = fromColumn(kind, v); err != nil {
			return nil, fmt.Errorf("last value %s: %w", sm.ID, err)
		}
		sm.Quality = driver.Quality(q)
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("last values: %w", err)
	}
	return out, nil
}

func fromColumn(kind byte, v any) (any, error) {
	switch kind {
	case kindNil:
		return nil, nil
	case kindBool:
		i, ok := v.(int64)
		return i != 0, okOr(ok, kind, v)
	case kindInt:
		i, ok := v.(int64)
		return i, okOr(ok, kind, v)
	case kindFloat:
		f, ok := v.(float64)
		return f, okOr(ok, kind, v)
	case kindString:
		switch s := v.(type) {
		case string:
			return s, nil
		case []byte:
			return string(s), nil
		}
	}
	return nil, fmt.Errorf("stored value %v (%T) of kind %d is corrupt", v, v, kind)
}

func okOr(ok bool, kind byte, v any) error {
	if ok {
		return nil
	}
	return fmt.Errorf("stored value %v (%T) of kind %d is corrupt", v, v, kind)
}

// deleteLastValuesUnder removes the last values whose full ID starts with
// prefix + "." ('/' is the byte after '.', bounding the range).
func deleteLastValuesUnder(ctx context.Context, q querier, prefix string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM last_values WHERE id > ? AND id < ?`, prefix+".", prefix+"/")
	if err != nil {
		return fmt.Errorf("last values of %s: %w", prefix, err)
	}
	return nil
}

// deleteOrphanLastValues removes a gateway's last values whose point is gone.
// The full ID is split at its fixed offsets (32-hex gateway, 8-hex device,
// then the point), so each value is checked through the points' primary
// key; comparing a concatenation instead would scan the gateway's points
// once per value, which takes hours for a gateway of 100,000 points.
func deleteOrphanLastValues(ctx context.Context, q querier, gw string) error {
	devAt := len(gw) + 2
	ptAt := devAt + model.DeviceIDLen + 1
	_, err := q.ExecContext(ctx, `DELETE FROM last_values WHERE id > ? AND id < ? AND NOT EXISTS (
		SELECT 1 FROM points p WHERE p.gateway = ? AND p.device = substr(last_values.id, ?, ?) AND p.id = substr(last_values.id, ?))`,
		gw+".", gw+"/", gw, devAt, model.DeviceIDLen, ptAt)
	if err != nil {
		return fmt.Errorf("last values of %s: %w", gw, err)
	}
	return nil
}
