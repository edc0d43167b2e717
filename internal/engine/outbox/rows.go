package outbox

import (
	"fmt"
)

// claim reads up to k rows after seq and marks them as handed to SendBatch,
// under rowsMu so the cap cannot drop them in between.
func (o *Outbox) claim(after uint64, k int) ([]row, error) {
	o.rowsMu.Lock()
	defer o.rowsMu.Unlock()
	rs, err := o.db.Query(`SELECT seq, n, payload FROM batches WHERE seq > ? ORDER BY seq LIMIT ?`, int64(after), k)
	if err != nil {
		return nil, fmt.Errorf("read batches after %d: %w", after, err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		var seq int64
		if err := rs.Scan(&seq, &r.n, &r.payload); err != nil {
			return nil, fmt.Errorf("read batches after %d: %w", after, err)
		}
		r.seq = uint64(seq)
		r.size = int64(len(r.payload))
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read batches after %d: %w", after, err)
	}
	if len(out) > 0 {
		o.sentHigh = max(o.sentHigh, out[len(out)-1].seq)
	}
	return out, nil
}

// deleteAcked removes delivered rows in one transaction.
func (o *Outbox) deleteAcked(acked []row) error {
	if len(acked) == 0 {
		return nil
	}
	if err := o.deleteRows(acked); err != nil {
		return err
	}
	var d counts
	for _, r := range acked {
		d.add(counts{batches: 1, samples: r.n, bytes: r.size})
	}
	o.rowsMu.Lock()
	o.pending.sub(d)
	o.rowsMu.Unlock()
	return nil
}

func (o *Outbox) deleteRows(rows []row) error {
	tx, err := o.db.Begin()
	if err != nil {
		return fmt.Errorf("delete acknowledged: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`DELETE FROM batches WHERE seq = ?`)
	if err != nil {
		return fmt.Errorf("delete acknowledged: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.Exec(int64(r.seq)); err != nil {
			return fmt.Errorf("delete batch %d: %w", r.seq, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete acknowledged: commit: %w", err)
	}
	return nil
}

// discard deletes a row whose payload cannot be decoded — it could never be
// delivered and would block every batch behind it — and counts its samples
// as dropped.
func (o *Outbox) discard(r row, cause error) {
	if err := o.deleteRows([]row{r}); err != nil {
		o.log.Error("outbox cannot discard undecodable batch", "seq", r.seq, "cause", cause, "err", err)
		return
	}
	o.rowsMu.Lock()
	o.pending.sub(counts{batches: 1, samples: r.n, bytes: r.size})
	o.rowsMu.Unlock()
	o.dropped.Add(r.n)
	o.log.Error("outbox discarded undecodable batch", "seq", r.seq, "samples", r.n, "err", cause)
}
