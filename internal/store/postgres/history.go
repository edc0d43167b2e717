package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// DefaultHistoryLimit bounds a query that set no Limit.
const DefaultHistoryLimit = 100_000

// seqShift places a sample's index in its batch below the batch's ID in
// Sample.Seq, so equal timestamps keep ingest order.
const seqShift = 20

// batchArrays are a batch's samples laid out by history column.
type batchArrays struct {
	ts     []int64
	vi     []*int64
	vf     []*float64
	point  []int32
	code   []int32
	kind   []int16
	qual   []string
	vs     []*string
	points map[string]int // full ID → index of its first sample
}

// Ingest stores a batch with its key in one transaction. A key already
// stored writes nothing and reports duplicate. Every sample is validated
// (full ID, value type) before anything is written.
func (s *Store) Ingest(ctx context.Context, key store.BatchKey, samples []model.Sample) (bool, error) {
	duplicate, err := s.ingest(ctx, key, samples)
	if err != nil {
		return false, fmt.Errorf("batch %s/%s/%d: %w", key.Gateway, key.Epoch, key.Seq, err)
	}
	return duplicate, nil
}

func (s *Store) ingest(ctx context.Context, key store.BatchKey, samples []model.Sample) (bool, error) {
	if len(samples) >= 1<<seqShift {
		return false, fmt.Errorf("%d samples in one batch; at most %d", len(samples), 1<<seqShift-1)
	}
	if key.Seq > math.MaxInt64 {
		return false, fmt.Errorf("batch seq %d overflows int64", key.Seq)
	}
	a, err := s.arrays(samples)
	if err != nil {
		return false, err
	}
	if err := s.resolveKeys(ctx, samples, a); err != nil {
		return false, err
	}
	return s.write(ctx, key, a)
}

// arrays validates samples and lays them out as columns. Point keys of IDs
// already cached are filled in; the others are left for resolveKeys.
func (s *Store) arrays(samples []model.Sample) (*batchArrays, error) {
	n := len(samples)
	a := &batchArrays{ts: make([]int64, n), vi: make([]*int64, n), vf: make([]*float64, n), point: make([]int32, n),
		code: make([]int32, n), kind: make([]int16, n), qual: make([]string, n), vs: make([]*string, n),
		points: map[string]int{}}
	for i, sm := range samples {
		if _, seen := a.points[sm.ID]; !seen {
			k, known := s.keys.get(sm.ID)
			if !known {
				if _, err := model.ParseFullID(sm.ID); err != nil {
					return nil, err
				}
			}
			a.points[sm.ID] = i
			a.point[i] = k
		} else {
			a.point[i] = a.point[a.points[sm.ID]]
		}
		c, err := toColumn(sm.Value)
		if err != nil {
			return nil, fmt.Errorf("sample of %s: %w", sm.ID, err)
		}
		a.ts[i], a.vi[i], a.vf[i], a.vs[i], a.kind[i] = sm.TS, c.vi, c.vf, c.vs, c.kind
		a.code[i], a.qual[i] = int32(sm.Code), string(sm.Quality)
	}
	return a, nil
}

// resolveKeys fills in the history keys of points not cached yet, creating
// keys for points seen for the first time. Keys are committed on their own,
// before the batch: a key without samples is harmless, and a short statement
// inserting in ID order cannot deadlock with another replica doing the same.
// Existing keys are looked up first, so a restarted replica does not burn
// key numbers on conflicts.
func (s *Store) resolveKeys(ctx context.Context, samples []model.Sample, a *batchArrays) error {
	var missing []string
	for id, i := range a.points {
		if a.point[i] == 0 {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	if err := s.loadKeys(ctx, missing); err != nil {
		return err
	}
	missing = slices.DeleteFunc(missing, func(id string) bool { _, ok := s.keys.get(id); return ok })
	if len(missing) > 0 {
		if _, err := s.pool.Exec(ctx, `INSERT INTO history_points (id) SELECT x FROM unnest($1::text[]) AS x ORDER BY x
			ON CONFLICT (id) DO NOTHING`, missing); err != nil {
			return fmt.Errorf("history keys: %w", err)
		}
		// A new statement, so its snapshot also sees keys another replica
		// committed while the insert ran.
		if err := s.loadKeys(ctx, missing); err != nil {
			return err
		}
	}
	for i, sm := range samples {
		k, ok := s.keys.get(sm.ID)
		if !ok {
			return fmt.Errorf("history key of %s was not created", sm.ID)
		}
		a.point[i] = k
	}
	return nil
}

// loadKeys caches the stored keys of ids.
func (s *Store) loadKeys(ctx context.Context, ids []string) error {
	rows, err := s.pool.Query(ctx, `SELECT key, id FROM history_points WHERE id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("history keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key int32
		var id string
		if err := rows.Scan(&key, &id); err != nil {
			return fmt.Errorf("history keys: %w", err)
		}
		s.keys.add(id, key)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("history keys: %w", err)
	}
	return nil
}

// QueryHistory returns one point's samples ascending by (ts, seq), at most
// q.Limit, and whether more matched, from the (point, ts) index.
func (s *Store) QueryHistory(ctx context.Context, q store.HistoryQuery) ([]model.Sample, bool, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	to := q.To
	if to == 0 {
		to = math.MaxInt64
	}
	rows, err := s.pool.Query(ctx, `SELECT ts, seq, kind, vi, vf, vs, quality, code FROM history
		WHERE point = (SELECT key FROM history_points WHERE id = $1) AND ts >= $2 AND ts <= $3
		ORDER BY ts, seq LIMIT $4`, q.ID, q.From, to, int64(limit)+1)
	if err != nil {
		return nil, false, fmt.Errorf("history of %s: %w", q.ID, err)
	}
	defer rows.Close()
	out := []model.Sample{}
	for rows.Next() {
		sm := model.Sample{ID: q.ID}
		var c column
		var seq int64
		var qual string
		var code int32
		if err := rows.Scan(&sm.TS, &seq, &c.kind, &c.vi, &c.vf, &c.vs, &qual, &code); err != nil {
			return nil, false, fmt.Errorf("history of %s: %w", q.ID, err)
		}
		if sm.Value, err = c.value(); err != nil {
			return nil, false, fmt.Errorf("history of %s: %w", q.ID, err)
		}
		sm.Seq, sm.Quality, sm.Code = uint64(seq), driver.Quality(qual), int(code)
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("history of %s: %w", q.ID, err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// DeleteHistoryBefore deletes samples older than ts and batch keys stored
// before ts, and returns how many samples went. Each is one DELETE found
// through a BRIN index: under MVCC a delete and an insert never wait for
// each other, so ingest carries on while retention runs.
func (s *Store) DeleteHistoryBefore(ctx context.Context, ts int64) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM history WHERE ts < $1`, ts)
	if err != nil {
		return 0, fmt.Errorf("retention before %d: %w", ts, err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM history_batches WHERE created_at < $1`, ts); err != nil {
		return tag.RowsAffected(), fmt.Errorf("retention of batch keys before %d: %w", ts, err)
	}
	return tag.RowsAffected(), nil
}

var historyColumns = []string{"ts", "seq", "vi", "vf", "point", "code", "kind", "quality", "vs"}

// write writes the key and, if it is new, the samples with COPY, in one
// transaction. A concurrent insert of the same key (another replica handed
// the same batch) makes ON CONFLICT wait for that transaction and then
// insert nothing: the batch is stored once, and the primary key, not a
// check-then-insert, guarantees it.
func (s *Store) write(ctx context.Context, key store.BatchKey, a *batchArrays) (bool, error) {
	duplicate := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		duplicate = false
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO history_batches (gateway, epoch, seq, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING RETURNING id`, key.Gateway, key.Epoch, int64(key.Seq), time.Now().UnixMilli()).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			duplicate = true
			return nil
		}
		if err != nil || len(a.ts) == 0 {
			return err
		}
		base := id << seqShift
		row := make([]any, len(historyColumns))
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"history"}, historyColumns, pgx.CopyFromSlice(len(a.ts), func(i int) ([]any, error) {
			row[0], row[1], row[2], row[3], row[4] = a.ts[i], base|int64(i), a.vi[i], a.vf[i], a.point[i]
			row[5], row[6], row[7], row[8] = a.code[i], a.kind[i], a.qual[i], a.vs[i]
			return row, nil
		}))
		return err
	})
	return duplicate, err
}
