package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Compaction moves staged batches into per-point chunks. Ingest stays one
// row per batch, and a point's history ends up in few, large chunk rows.
const (
	// compactThreshold staged rows wake the compactor; compactRows rows (or
	// compactSamples samples) make one compaction transaction, so chunks hold
	// many samples and a step keeps the writer for tens of milliseconds.
	compactThreshold = 64
	compactRows      = 64
	compactSamples   = 1 << 17
	// highWater staged rows make Ingest compact inline: if the background
	// compactor cannot keep up, ingest slows down instead of staged rows (and
	// query cost) growing without bound.
	highWater = 1024
	// compactRetry is the pause after a failed compaction.
	compactRetry = time.Second
)

// compactor runs compaction in the background.
type compactor struct {
	pending atomic.Int64 // staged rows not yet compacted
	wake    chan struct{}
	cancel  context.CancelFunc
	done    sync.WaitGroup
}

func (s *Store) startCompactor(pending int64) {
	c := &s.compact
	c.pending.Store(pending)
	c.wake = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.done.Go(func() { s.compactLoop(ctx) })
	if pending >= compactThreshold {
		c.signal()
	}
}

func (s *Store) stopCompactor() {
	s.compact.cancel()
	s.compact.done.Wait()
}

func (c *compactor) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// staged counts a committed staged row and starts compaction when due.
func (s *Store) staged(ctx context.Context) {
	n := s.compact.pending.Add(1)
	if n >= highWater {
		if err := s.compactOnce(ctx); err != nil {
			s.log.Warn("inline history compaction failed", "err", err)
		}
		return
	}
	if n >= compactThreshold {
		s.compact.signal()
	}
}

func (s *Store) compactLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.compact.wake:
		}
		for s.compact.pending.Load() >= compactThreshold && ctx.Err() == nil {
			if err := s.compactOnce(ctx); err != nil {
				if ctx.Err() == nil {
					s.log.Warn("history compaction failed", "err", err)
				}
				select {
				case <-ctx.Done():
				case <-time.After(compactRetry):
				}
				break
			}
		}
	}
}

// compactAll compacts every staged row (tests and benchmarks use it to
// measure and check the compacted layout).
func (s *Store) compactAll(ctx context.Context) error {
	for s.compact.pending.Load() > 0 {
		if err := s.compactOnce(ctx); err != nil {
			return err
		}
	}
	return nil
}

// compactOnce moves the oldest staged rows into chunk rows in one
// transaction, so readers see each sample exactly once at any moment.
func (s *Store) compactOnce(ctx context.Context) error {
	var rows int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		points, lastID, n, err := readStaged(ctx, tx)
		if err != nil || n == 0 {
			return err
		}
		rows = n
		if err := writeCompacted(ctx, tx, points); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM history_staged WHERE id <= ?`, lastID)
		return err
	})
	if err != nil {
		return fmt.Errorf("compact history: %w", err)
	}
	s.compact.pending.Add(-rows)
	if rows == 0 {
		s.compact.pending.Store(0) // the counter drifted (rows deleted by retention)
	}
	return nil
}

// stagedPart is one point's chunk inside a staged row, with the seq base of
// that row.
type stagedPart struct {
	chunk []byte
	base  uint64
}

// pointParts is one point's staged chunks in ingest order.
type pointParts struct {
	key   int64
	parts []stagedPart
}

// readStaged collects the oldest staged rows' chunks per point, undecoded,
// returning the last row ID read and how many rows.
func readStaged(ctx context.Context, tx *sql.Tx) ([]pointParts, int64, int64, error) {
	rs, err := tx.QueryContext(ctx, `SELECT id, n, data FROM history_staged ORDER BY id LIMIT ?`, compactRows)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rs.Close()
	index := map[int64]int{}
	var points []pointParts
	var lastID, rows, samples int64
	for samples < compactSamples && rs.Next() {
		var n int64
		var data []byte // Scan copies, so chunks may point into it
		if err := rs.Scan(&lastID, &n, &data); err != nil {
			return nil, 0, 0, err
		}
		rows, samples = rows+1, samples+n
		base := uint64(lastID) << seqShift
		err := walkStaged(data, func(key int64, chunk []byte) error {
			i, ok := index[key]
			if !ok {
				i = len(points)
				index[key] = i
				points = append(points, pointParts{key: key})
			}
			points[i].parts = append(points[i].parts, stagedPart{chunk: chunk, base: base})
			return nil
		})
		if err != nil {
			return nil, 0, 0, fmt.Errorf("staged row %d: %w", lastID, err)
		}
	}
	return points, lastID, rows, rs.Err()
}

// writeCompacted merges each point's staged chunks into compacted chunks.
func writeCompacted(ctx context.Context, tx *sql.Tx, points []pointParts) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO history_chunks (point, ts_min, ts_max, n, data) VALUES (?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	var b chunkBuilder
	for _, p := range points {
		b.flush = func(data []byte, n int, tsMin, tsMax int64) error {
			_, err := ins.ExecContext(ctx, p.key, tsMin, tsMax, n, data)
			return err
		}
		if err := b.merge(p.parts); err != nil {
			return fmt.Errorf("point key %d: %w", p.key, err)
		}
	}
	return nil
}

// Bounds of an unfiltered decode.
const (
	minTS = -1 << 63
	maxTS = 1<<63 - 1
)
