package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// DefaultHistoryLimit bounds a query that set no Limit.
const DefaultHistoryLimit = 100_000

// QueryHistory returns one point's samples ascending by (ts, seq), at most
// q.Limit, and whether more matched. Staged and compacted samples are read
// from one snapshot, so a concurrent compaction never shows a sample twice.
func (s *Store) QueryHistory(ctx context.Context, q store.HistoryQuery) ([]model.Sample, bool, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	var out []model.Sample
	out = []model.Sample{}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		key, ok, err := s.lookupPointKey(ctx, tx, q.ID)
		if err != nil || !ok {
			return err // a point without a key has no history
		}
		r := chunkRange{id: q.ID, from: q.From, to: upper(q.To)}
		buf, err := queryStaged(ctx, tx, key, r, out)
		if err != nil {
			return err
		}
		out, err = queryChunks(ctx, tx, key, r, limit+1, buf)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("history of %s: %w", q.ID, err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// queryStaged appends the point's samples in the range from staged rows
// (few: compaction keeps them bounded).
func queryStaged(ctx context.Context, tx *sql.Tx, key int64, r chunkRange, buf []model.Sample) ([]model.Sample, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, data FROM history_staged WHERE ts_max >= ? AND ts_min <= ?`, r.from, r.to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		err := walkStaged(data, func(pkey int64, chunk []byte) error {
			if pkey != key {
				return nil
			}
			var derr error
			buf, derr = decodeChunk(chunk, r, false, uint64(id)<<seqShift, buf)
			return derr
		})
		if err != nil {
			return nil, fmt.Errorf("staged row %d: %w", id, err)
		}
	}
	return buf, rows.Err()
}

// queryChunks adds the point's compacted chunks overlapping the range and
// returns the first keep samples in order. Chunks come in ts_min order; once
// keep samples are known to precede the next chunk's ts_min, the rest of a
// long range is never read.
func queryChunks(ctx context.Context, tx *sql.Tx, key int64, r chunkRange, keep int, buf []model.Sample) ([]model.Sample, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, ts_min, data FROM history_chunks
		WHERE point = ? AND ts_min <= ? AND ts_max >= ? ORDER BY ts_min`, key, r.to, r.from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, tsMin int64
		var data []byte
		if err := rows.Scan(&id, &tsMin, &data); err != nil {
			return nil, err
		}
		if len(buf) >= 2*keep {
			buf = sortTrim(buf, keep)
			if buf[keep-1].TS < tsMin {
				break // every unread chunk starts after the samples kept
			}
		}
		if buf, err = decodeChunk(data, r, true, 0, buf); err != nil {
			return nil, fmt.Errorf("chunk %d: %w", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return sortTrim(buf, keep), nil
}

// sortTrim orders samples by (ts, seq) and keeps the first keep.
func sortTrim(buf []model.Sample, keep int) []model.Sample {
	slices.SortFunc(buf, func(a, b model.Sample) int {
		if c := cmp.Compare(a.TS, b.TS); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	if len(buf) > keep {
		buf = buf[:keep]
	}
	return buf
}

// lookupPointKey finds the history key of a full ID; ok is false for a point
// never ingested.
func (s *Store) lookupPointKey(ctx context.Context, q querier, id string) (int64, bool, error) {
	if key, ok := s.keys.get(id); ok {
		return key, true, nil
	}
	var key int64
	err := q.QueryRowContext(ctx, `SELECT key FROM history_points WHERE id = ?`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	s.keys.add(map[string]int64{id: key})
	return key, true, nil
}
