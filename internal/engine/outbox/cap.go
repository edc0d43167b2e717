package outbox

import (
	"context"
	"fmt"
)

// maxDropRounds bounds one enforcement; each round re-measures the files.
// dropShare is the most one round drops, as a fraction of MaxBytes: the
// vacuum that returns the dropped pages writes about as much to the WAL
// before the checkpoint empties it, so dropping in small steps keeps that
// transient within a few percent of the cap instead of the whole margin
// down to capTarget.
const (
	maxDropRounds = 16
	dropShare     = 0.02
)

// enforceCap keeps database + WAL within MaxBytes: it reclaims free pages
// first and drops the oldest never-sent batches only if that is not enough.
// Called with flushMu held, after an append.
func (o *Outbox) enforceCap() {
	limit := o.opts.MaxBytes
	if diskBytes(o.dir) <= limit {
		return
	}
	o.reclaim()
	size := diskBytes(o.dir)
	if size <= limit {
		return
	}
	target := int64(float64(limit) * capTarget)
	var total counts
	for round := 0; round < maxDropRounds && size > target; round++ {
		d, err := o.dropOldest(min(size-target, max(int64(float64(limit)*dropShare), 1)))
		if err != nil {
			o.log.Error("outbox cap: drop failed", "err", err)
			break
		}
		if d.batches == 0 {
			break
		}
		total.add(d)
		o.reclaim()
		size = diskBytes(o.dir)
	}
	if total.batches > 0 {
		o.log.Warn("outbox over its byte cap, dropped oldest unsent batches",
			"batches", total.batches, "samples", total.samples, "disk_bytes", size,
			"max_bytes", limit, "dropped_total", o.dropped.Load())
	}
}

// reclaim gives free pages back to the file system: incremental vacuum moves
// them to the end of the file, and a TRUNCATE checkpoint writes the WAL into
// the database, shortens it and empties the WAL.
func (o *Outbox) reclaim() {
	ctx := context.Background()
	// incremental_vacuum frees one page per step, so its rows are read to the end.
	rows, err := o.db.QueryContext(ctx, `PRAGMA incremental_vacuum`)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if err != nil {
		o.log.Warn("outbox incremental vacuum", "err", err)
	}
	if _, err := o.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		o.log.Warn("outbox checkpoint", "err", err)
	}
}

// dropOldest deletes the oldest batches never handed to SendBatch whose
// payloads add up to at least free bytes, and counts their samples as
// dropped. Holding rowsMu keeps the sender from claiming them meanwhile.
func (o *Outbox) dropOldest(free int64) (counts, error) {
	o.rowsMu.Lock()
	defer o.rowsMu.Unlock()
	last, d, err := o.pickOldest(free)
	if err != nil || d.batches == 0 {
		return counts{}, err
	}
	tx, err := o.db.Begin()
	if err != nil {
		return counts{}, fmt.Errorf("drop: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM batches WHERE seq > ? AND seq <= ?`, int64(o.sentHigh), int64(last)); err != nil {
		return counts{}, fmt.Errorf("drop through batch %d: %w", last, err)
	}
	dropped := o.dropped.Load() + d.samples
	if _, err := tx.Exec(`UPDATE meta SET dropped = ? WHERE id = 1`, dropped); err != nil {
		return counts{}, fmt.Errorf("drop: meta: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return counts{}, fmt.Errorf("drop: commit: %w", err)
	}
	o.dropped.Add(d.samples)
	o.pending.sub(d)
	return d, nil
}

// pickOldest finds the last seq of the shortest run of never-sent batches
// whose payloads reach free bytes.
func (o *Outbox) pickOldest(free int64) (last uint64, d counts, err error) {
	rows, err := o.db.Query(`SELECT seq, n, length(payload) FROM batches WHERE seq > ? ORDER BY seq`, int64(o.sentHigh))
	if err != nil {
		return 0, counts{}, fmt.Errorf("drop: %w", err)
	}
	defer rows.Close()
	for d.bytes < free && rows.Next() {
		var seq, n, size int64
		if err := rows.Scan(&seq, &n, &size); err != nil {
			return 0, counts{}, fmt.Errorf("drop: %w", err)
		}
		last = uint64(seq)
		d.add(counts{batches: 1, samples: n, bytes: size})
	}
	return last, d, rows.Err()
}
