package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// Ingest stores a batch with its key in one transaction: the key, and the
// samples grouped by point as a single staged row, which compaction later
// spreads into per-point chunks. A key already stored writes nothing and
// reports duplicate.
func (s *Store) Ingest(ctx context.Context, key store.BatchKey, samples []model.Sample) (bool, error) {
	duplicate, err := s.ingest(ctx, key, samples)
	if err != nil {
		return false, fmt.Errorf("batch %s/%s/%d: %w", key.Gateway, key.Epoch, key.Seq, err)
	}
	return duplicate, nil
}

func (s *Store) ingest(ctx context.Context, key store.BatchKey, samples []model.Sample) (bool, error) {
	groups, err := s.groupByPoint(samples)
	if err != nil {
		return false, err
	}
	st := stagedRow{n: len(samples)}
	// Encoding needs point keys; when all are cached (the steady state) it
	// happens before the transaction, keeping the writer's critical section short.
	if s.cachedKeys(groups) && len(samples) > 0 {
		if err := st.encode(groups); err != nil {
			return false, err
		}
	}
	var duplicate bool
	var fresh map[string]int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if duplicate, err = insertBatchKey(ctx, tx, key); err != nil || duplicate || len(samples) == 0 {
			return err
		}
		if st.data == nil {
			if fresh, err = s.resolveKeys(ctx, tx, groups); err != nil {
				return err
			}
			if err := st.encode(groups); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO history_staged (ts_min, ts_max, n, data) VALUES (?,?,?,?)`,
			st.tsMin, st.tsMax, st.n, st.data)
		return err
	})
	if err != nil {
		return false, err
	}
	s.keys.add(fresh)
	if !duplicate && len(samples) > 0 {
		s.staged(ctx)
	}
	return duplicate, nil
}

// stagedRow is the row one Ingest adds to history_staged.
type stagedRow struct {
	data         []byte
	tsMin, tsMax int64
	n            int
}

func (st *stagedRow) encode(groups []pointGroup) (err error) {
	st.data, st.tsMin, st.tsMax, err = encodeStaged(nil, groups)
	return err
}

// cachedKeys fills group keys from the cache, reporting whether all were there.
func (s *Store) cachedKeys(groups []pointGroup) bool {
	all := true
	for i := range groups {
		k, ok := s.keys.get(groups[i].id)
		groups[i].key = k
		all = all && ok
	}
	return all
}

// resolveKeys fills every group's key, creating keys for new points, and
// returns the keys to cache once the transaction commits. New points are
// created and looked up keysPerStatement at a time: the first batches of a
// large gateway bring thousands of new points each, and two statements per
// point cost more than the rest of the ingest.
func (s *Store) resolveKeys(ctx context.Context, tx *sql.Tx, groups []pointGroup) (map[string]int64, error) {
	fresh := map[string]int64{}
	var missing []string
	for i := range groups {
		if groups[i].key != 0 {
			continue
		}
		if key, ok := s.keys.get(groups[i].id); ok {
			groups[i].key = key
			continue
		}
		missing = append(missing, groups[i].id)
	}
	for len(missing) > 0 {
		n := min(len(missing), keysPerStatement)
		if err := createPointKeys(ctx, tx, missing[:n], fresh); err != nil {
			return nil, err
		}
		missing = missing[n:]
	}
	for i := range groups {
		if groups[i].key != 0 {
			continue
		}
		key, ok := fresh[groups[i].id]
		if !ok {
			return nil, fmt.Errorf("point %s: no history key after creating it", groups[i].id)
		}
		groups[i].key = key
	}
	return fresh, nil
}

// keysPerStatement bounds the IDs of one statement, well under SQLite's
// limit of bound parameters.
const keysPerStatement = 500

// createPointKeys makes sure ids have history keys and adds them to keys.
func createPointKeys(ctx context.Context, tx *sql.Tx, ids []string, keys map[string]int64) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	marks := strings.Repeat(",?", len(ids))[1:]
	if _, err := tx.ExecContext(ctx, `INSERT INTO history_points (id) VALUES (`+strings.ReplaceAll(marks, ",", "),(")+`)
		ON CONFLICT (id) DO NOTHING`, args...); err != nil {
		return fmt.Errorf("history keys: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, key FROM history_points WHERE id IN (`+marks+`)`, args...)
	if err != nil {
		return fmt.Errorf("history keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var key int64
		if err := rows.Scan(&id, &key); err != nil {
			return fmt.Errorf("history keys: %w", err)
		}
		keys[id] = key
	}
	return rows.Err()
}

// insertBatchKey records key, reporting whether it was already there.
func insertBatchKey(ctx context.Context, tx *sql.Tx, key store.BatchKey) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO history_batches (gateway, epoch, seq, created_at) VALUES (?,?,?,?)
		ON CONFLICT DO NOTHING`, key.Gateway, key.Epoch, int64(key.Seq), time.Now().UnixMilli())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 0, err
}

// pointGroup is one point's samples of a batch, in ingest order.
type pointGroup struct {
	id      string
	key     int64 // history_points key; 0 = not known yet
	samples []model.Sample
}

// groupByPoint splits samples by full ID, keeping first-seen point order and
// ingest order within each point. IDs are validated once per point (not
// at all when history already knows them). The groups share one backing
// array, filled by a counting sort, so a batch of many points costs a few
// allocations rather than one per point.
func (s *Store) groupByPoint(samples []model.Sample) ([]pointGroup, error) {
	index := make(map[string]int32, min(len(samples), 4096))
	which := make([]int32, len(samples))
	var sizes []int
	for k := range samples {
		id := samples[k].ID
		i, ok := index[id]
		if !ok {
			if _, known := s.keys.get(id); !known {
				if _, err := model.ParseFullID(id); err != nil {
					return nil, err
				}
			}
			i = int32(len(sizes))
			index[id] = i
			sizes = append(sizes, 0)
		}
		if sizes[i] == maxGroupSamples {
			return nil, fmt.Errorf("more than %d samples of point %s in one batch", maxGroupSamples, id)
		}
		sizes[i]++
		which[k] = i
	}
	return fillGroups(samples, which, sizes), nil
}

// fillGroups places samples into their groups' slices of one array.
func fillGroups(samples []model.Sample, which []int32, sizes []int) []pointGroup {
	backing := make([]model.Sample, len(samples))
	groups := make([]pointGroup, len(sizes))
	off := 0
	for i, n := range sizes {
		groups[i].samples = backing[off : off : off+n]
		off += n
	}
	for k, i := range which {
		groups[i].samples = append(groups[i].samples, samples[k])
	}
	for i := range groups {
		groups[i].id = groups[i].samples[0].ID
	}
	return groups
}

// upper is the inclusive upper bound of a query (To 0 = none).
func upper(to int64) int64 {
	if to == 0 {
		return math.MaxInt64
	}
	return to
}
