package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/iotos/iotos/internal/model"
)

// RawInsertProbe is the baseline of `iotos bench ingest`: it creates a fresh
// database at path with the store's schema and pragmas and writes samples
// the way the store lays them out — one staged row per transaction of batch
// samples, compacted into per-point chunks every compactRows transactions
// and at the end — with the same encoding and plain prepared statements.
// Nothing else: no batch keys, no ID validation, no background goroutine.
// It returns the time the writes took (not the setup).
func RawInsertProbe(ctx context.Context, path string, samples []model.Sample, batch int) (time.Duration, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("probe: batch %d must be positive", batch)
	}
	if _, err := os.Stat(path); err == nil {
		return 0, fmt.Errorf("probe: %s exists; the probe needs a fresh database", path)
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		return 0, fmt.Errorf("probe: %w", err)
	}
	defer s.Close()
	s.stopCompactor() // the probe compacts in line, like a plain program would
	p := probe{db: s.w, keys: map[string]int64{}}
	start := time.Now()
	for n := 1; len(samples) > 0; n++ {
		part := samples[:min(batch, len(samples))]
		samples = samples[len(part):]
		if err := p.stage(ctx, part); err != nil {
			return 0, fmt.Errorf("probe: %w", err)
		}
		if n%compactRows == 0 || len(samples) == 0 {
			if err := p.compact(ctx); err != nil {
				return 0, fmt.Errorf("probe: %w", err)
			}
		}
	}
	return time.Since(start), nil
}

type probe struct {
	db   *sql.DB
	keys map[string]int64
}

// stage writes one transaction: new point keys and the batch's staged row.
func (p *probe) stage(ctx context.Context, samples []model.Sample) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	groups := probeGroups(samples)
	for i := range groups {
		if groups[i].key, err = p.key(ctx, tx, groups[i].id); err != nil {
			return err
		}
	}
	data, tsMin, tsMax, err := encodeStaged(nil, groups)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO history_staged (ts_min, ts_max, n, data) VALUES (?,?,?,?)`,
		tsMin, tsMax, len(samples), data); err != nil {
		return err
	}
	return tx.Commit()
}

// compact moves every staged row into chunks.
func (p *probe) compact(ctx context.Context) error {
	for {
		tx, err := p.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		points, lastID, rows, err := readStaged(ctx, tx)
		if err == nil && rows > 0 {
			if err = writeCompacted(ctx, tx, points); err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM history_staged WHERE id <= ?`, lastID)
			}
		}
		if err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if rows == 0 {
			return nil
		}
	}
}

// probeGroups groups by full ID without validating it.
func probeGroups(samples []model.Sample) []pointGroup {
	index := make(map[string]int)
	var groups []pointGroup
	for _, sm := range samples {
		i, ok := index[sm.ID]
		if !ok {
			i = len(groups)
			index[sm.ID] = i
			groups = append(groups, pointGroup{id: sm.ID})
		}
		groups[i].samples = append(groups[i].samples, sm)
	}
	return groups
}

func (p *probe) key(ctx context.Context, tx *sql.Tx, id string) (int64, error) {
	if k, ok := p.keys[id]; ok {
		return k, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO history_points (id) VALUES (?)`, id)
	if err != nil {
		return 0, err
	}
	k, err := res.LastInsertId()
	p.keys[id] = k
	return k, err
}
