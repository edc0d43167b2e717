package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// retentionStep is how many rows one retention transaction deletes: small
// enough that a waiting Ingest is delayed by milliseconds, not seconds.
const retentionStep = 1000

// DeleteHistoryBefore deletes whole chunks whose newest sample is older than
// ts, and batch keys stored before ts, in steps of retentionStep rows. It
// returns how many samples went. A chunk straddling ts stays until all of its
// samples are old.
func (s *Store) DeleteHistoryBefore(ctx context.Context, ts int64) (int64, error) {
	var total int64
	for _, table := range []string{"history_staged", "history_chunks"} {
		for {
			n, rows, err := s.deleteChunkStep(ctx, table, ts)
			total += n
			if err != nil {
				return total, fmt.Errorf("retention before %d: %w", ts, err)
			}
			if rows < retentionStep {
				break
			}
		}
	}
	for {
		rows, err := s.deleteBatchKeyStep(ctx, ts)
		if err != nil {
			return total, fmt.Errorf("retention of batch keys before %d: %w", ts, err)
		}
		if rows < retentionStep {
			return total, nil
		}
	}
}

// deleteChunkStep deletes up to retentionStep old rows of a history table
// (staged or compacted), returning their sample count and row count.
func (s *Store) deleteChunkStep(ctx context.Context, table string, ts int64) (samples, rows int64, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.QueryContext(ctx, `DELETE FROM `+table+` WHERE id IN (
			SELECT id FROM `+table+` WHERE ts_max < ? ORDER BY ts_max LIMIT ?) RETURNING n`, ts, retentionStep)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			var n int64
			if err := res.Scan(&n); err != nil {
				return err
			}
			samples += n
			rows++
		}
		return res.Err()
	})
	if table == "history_staged" && err == nil {
		s.compact.pending.Add(-rows)
	}
	return samples, rows, err
}

func (s *Store) deleteBatchKeyStep(ctx context.Context, ts int64) (int64, error) {
	var rows int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM history_batches WHERE (gateway, epoch, seq) IN (
			SELECT gateway, epoch, seq FROM history_batches WHERE created_at < ? ORDER BY created_at LIMIT ?)`, ts, retentionStep)
		if err != nil {
			return err
		}
		rows, err = res.RowsAffected()
		return err
	})
	return rows, err
}
