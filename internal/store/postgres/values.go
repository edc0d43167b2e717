package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// Value kinds, shared by last values and history: kind says which of the
// columns vi (bool as 0/1, int), vf (float) or vs (string) holds the value.
const (
	kindNil int16 = iota
	kindBool
	kindInt
	kindFloat
	kindString
)

// column is a sample value split over the value columns.
type column struct {
	kind int16
	vi   *int64
	vf   *float64
	vs   *string
}

// toColumn maps a sample value onto the four stored kinds (bool, int64,
// float64, string); integer and float widths a caller may hand over are
// widened rather than rejected.
func toColumn(v any) (column, error) {
	i := func(k int16, x int64) column { return column{kind: k, vi: &x} }
	switch x := v.(type) {
	case nil:
		return column{kind: kindNil}, nil
	case bool:
		if x {
			return i(kindBool, 1), nil
		}
		return i(kindBool, 0), nil
	case int64:
		return i(kindInt, x), nil
	case int:
		return i(kindInt, int64(x)), nil
	case int32:
		return i(kindInt, int64(x)), nil
	case int16:
		return i(kindInt, int64(x)), nil
	case int8:
		return i(kindInt, int64(x)), nil
	case uint32:
		return i(kindInt, int64(x)), nil
	case uint16:
		return i(kindInt, int64(x)), nil
	case uint8:
		return i(kindInt, int64(x)), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return column{}, fmt.Errorf("value %d overflows int64", x)
		}
		return i(kindInt, int64(x)), nil
	case uint64:
		if x > math.MaxInt64 {
			return column{}, fmt.Errorf("value %d overflows int64", x)
		}
		return i(kindInt, int64(x)), nil
	case float64:
		return column{kind: kindFloat, vf: &x}, nil
	case float32:
		f := float64(x)
		return column{kind: kindFloat, vf: &f}, nil
	case string:
		return column{kind: kindString, vs: &x}, nil
	}
	return column{}, fmt.Errorf("value %v has unsupported type %T", v, v)
}

// value is the Go value of stored columns.
func (c column) value() (any, error) {
	switch {
	case c.kind == kindNil:
		return nil, nil
	case c.kind == kindBool && c.vi != nil:
		return *c.vi != 0, nil
	case c.kind == kindInt && c.vi != nil:
		return *c.vi, nil
	case c.kind == kindFloat && c.vf != nil:
		return *c.vf, nil
	case c.kind == kindString && c.vs != nil:
		return *c.vs, nil
	}
	return nil, fmt.Errorf("stored value of kind %d is corrupt", c.kind)
}

// SaveLastValues upserts samples in one statement; a stored sample with a
// newer TS wins. The newest sample of each point is picked here (an upsert
// may not touch a row twice), and rows go in ID order so concurrent
// callers lock them in the same order and cannot deadlock.
func (s *Store) SaveLastValues(ctx context.Context, samples []model.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	newest := make(map[string]int, len(samples))
	for i, sm := range samples {
		if j, ok := newest[sm.ID]; !ok || sm.TS >= samples[j].TS {
			newest[sm.ID] = i
		}
	}
	order := make([]int, 0, len(newest))
	for _, i := range newest {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(samples[a].ID, samples[b].ID) })
	n := len(order)
	ids, kinds, vis, vfs, vss := make([]string, n), make([]int16, n), make([]*int64, n), make([]*float64, n), make([]*string, n)
	tss, quals, codes := make([]int64, n), make([]string, n), make([]int32, n)
	for k, i := range order {
		sm := samples[i]
		c, err := toColumn(sm.Value)
		if err != nil {
			return fmt.Errorf("last value %s: %w", sm.ID, err)
		}
		ids[k], kinds[k], vis[k], vfs[k], vss[k] = sm.ID, c.kind, c.vi, c.vf, c.vs
		tss[k], quals[k], codes[k] = sm.TS, string(sm.Quality), int32(sm.Code)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO last_values (id, kind, vi, vf, vs, ts, quality, code)
			SELECT * FROM unnest($1::text[], $2::int2[], $3::int8[], $4::float8[], $5::text[], $6::int8[], $7::text[], $8::int4[])
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, vi = excluded.vi, vf = excluded.vf, vs = excluded.vs,
				ts = excluded.ts, quality = excluded.quality, code = excluded.code
			WHERE excluded.ts >= last_values.ts`, ids, kinds, vis, vfs, vss, tss, quals, codes)
		if err != nil {
			return fmt.Errorf("save last values: %w", err)
		}
		return nil
	})
}

// LastValues returns every stored last value.
func (s *Store) LastValues(ctx context.Context) ([]model.Sample, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, vi, vf, vs, ts, quality, code FROM last_values`)
	if err != nil {
		return nil, fmt.Errorf("last values: %w", err)
	}
	defer rows.Close()
	out := []model.Sample{}
	for rows.Next() {
		var sm model.Sample
		var c column
		var q string
		var code int32
		if err := rows.Scan(&sm.ID, &c.kind, &c.vi, &c.vf, &c.vs, &sm.TS, &q, &code); err != nil {
			return nil, fmt.Errorf("last values: %w", err)
		}
		if sm.Value, err = c.value(); err != nil {
			return nil, fmt.Errorf("last value %s: %w", sm.ID, err)
		}
		sm.Quality, sm.Code = driver.Quality(q), int(code)
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("last values: %w", err)
	}
	return out, nil
}

// deleteLastValuesUnder removes the last values whose full ID starts with
// prefix + "." ('/' is the byte after '.', bounding the range; IDs compare
// byte-wise).
func deleteLastValuesUnder(ctx context.Context, q querier, prefix string) error {
	if _, err := q.Exec(ctx, `DELETE FROM last_values WHERE id > $1 AND id < $2`, prefix+".", prefix+"/"); err != nil {
		return fmt.Errorf("last values of %s: %w", prefix, err)
	}
	return nil
}

// deleteOrphanLastValues removes a gateway's last values whose point is gone.
func deleteOrphanLastValues(ctx context.Context, q querier, gw string) error {
	_, err := q.Exec(ctx, `DELETE FROM last_values lv WHERE lv.id > $1 AND lv.id < $2 AND NOT EXISTS (
		SELECT 1 FROM points p WHERE p.gateway = $3 AND p.device = split_part(lv.id, '.', 2) AND p.id = split_part(lv.id, '.', 3))`,
		gw+".", gw+"/", gw)
	if err != nil {
		return fmt.Errorf("last values of %s: %w", gw, err)
	}
	return nil
}
