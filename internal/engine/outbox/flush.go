package outbox

import (
	"fmt"
	"time"
)

// flusher appends the buffer every FlushInterval, or at once when half
// the buffer's bound is waiting, until Close.
func (o *Outbox) flusher() {
	defer o.flusherWG.Done()
	tick := time.NewTicker(o.opts.FlushInterval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-o.stop:
			return
		case <-tick.C:
		case <-o.buf.kick:
		}
		err := o.flush()
		switch {
		case err != nil && !failing:
			o.log.Error("outbox append failed; samples kept in memory and retried", "err", err)
		case err == nil && failing:
			o.log.Info("outbox append recovered")
		}
		failing = err != nil
	}
}

// flush appends everything buffered (and anything a failed append left)
// as new rows in one transaction, then enforces the byte cap.
func (o *Outbox) flush() error {
	o.flushMu.Lock()
	defer o.flushMu.Unlock()
	taken := o.buf.take()
	batches, lost := encodeBatches(taken, o.opts.MaxBatch)
	o.buf.recycle(taken)
	if lost > 0 {
		o.dropped.Add(int64(lost))
		o.log.Warn("outbox dropped samples that cannot be encoded or exceed the bus payload limit",
			"dropped", lost, "dropped_total", o.dropped.Load())
	}
	batches = append(o.unwritten, batches...)
	o.unwritten = nil
	if len(batches) == 0 {
		return nil
	}
	if err := o.appendRows(batches); err != nil {
		o.keepUnwritten(batches)
		return err
	}
	signal(o.notify)
	o.enforceCap()
	return nil
}

// keepUnwritten holds batches whose append failed for the next attempt,
// bounded like the buffer: past the bound the oldest are dropped and counted.
func (o *Outbox) keepUnwritten(batches []encoded) {
	total := 0
	for _, b := range batches {
		total += b.n
	}
	lost := 0
	for len(batches) > 1 && total > o.opts.MaxBatch*pendingFactor {
		total -= batches[0].n
		lost += batches[0].n
		batches = batches[1:]
	}
	if lost > 0 {
		o.dropped.Add(int64(lost))
		o.log.Warn("outbox cannot append; dropped oldest samples held in memory",
			"dropped", lost, "dropped_total", o.dropped.Load())
	}
	o.unwritten = batches
}

// appendRows writes batches with the next seqs and records the new highest
// seq in the meta row in the same transaction, so a seq is never reused.
func (o *Outbox) appendRows(batches []encoded) error {
	tx, err := o.db.Begin()
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO batches (seq, created_ms, n, payload) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	defer stmt.Close()
	now := time.Now().UnixMilli()
	first := o.maxSeq.Load() + 1
	seq := first - 1
	var added counts
	for _, b := range batches {
		seq++
		if _, err := stmt.Exec(int64(seq), now, b.n, b.payload); err != nil {
			return fmt.Errorf("append batch %d: %w", seq, err)
		}
		added.batches++
		added.samples += int64(b.n)
		added.bytes += int64(len(b.payload))
	}
	if _, err := tx.Exec(`UPDATE meta SET max_seq = ?, dropped = ? WHERE id = 1`, int64(seq), o.dropped.Load()); err != nil {
		return fmt.Errorf("append: meta: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append: commit: %w", err)
	}
	o.maxSeq.Store(seq)
	o.rowsMu.Lock()
	o.pending.add(added)
	o.rowsMu.Unlock()
	if o.committed != nil {
		o.committed(first, seq)
	}
	return nil
}

func (c *counts) add(d counts) {
	c.batches += d.batches
	c.samples += d.samples
	c.bytes += d.bytes
}

func (c *counts) sub(d counts) {
	c.batches -= d.batches
	c.samples -= d.samples
	c.bytes -= d.bytes
}
