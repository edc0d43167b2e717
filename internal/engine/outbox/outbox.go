package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

// Outbox is a durable, capped log of sample batches waiting for the
// platform's acknowledgement. Add, Backlog and Stats are safe for concurrent
// use; Run is called at most once at a time; Close ends it.
type Outbox struct {
	db    *sql.DB
	dir   string
	epoch string
	opts  Options
	log   *slog.Logger

	buf    buffer
	notify chan struct{} // capacity 1: new rows for the sender

	flushMu   sync.Mutex    // one append (and cap check) at a time
	maxSeq    atomic.Uint64 // highest seq assigned; written under flushMu
	unwritten []encoded     // batches whose append failed; guarded by flushMu

	// rowsMu orders the sender's claims against the cap's drops, so a batch
	// is never both handed to SendBatch and counted as dropped.
	rowsMu   sync.Mutex
	sentHigh uint64 // highest seq ever handed to SendBatch since Open
	pending  counts // rows waiting, guarded by rowsMu

	dropped    atomic.Int64
	sent       atomic.Int64
	acked      atomic.Int64
	duplicates atomic.Int64
	failures   atomic.Int64
	running    atomic.Bool

	stop      chan struct{}
	flusherWG sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	// committed, when set, is called after each append commits with the
	// seqs it wrote (the crash test reports them).
	committed func(first, last uint64)
}

// counts is what waits in the database.
type counts struct {
	batches, samples, bytes int64
}

// Open opens the outbox in dir (the file dir/outbox.db), creating it with a
// new epoch the first time, and starts its flusher.
func Open(dir string, opts Options) (*Outbox, error) {
	return open(dir, opts, nil)
}

// open is Open with a hook called after every committed append.
func open(dir string, opts Options, committed func(first, last uint64)) (*Outbox, error) {
	opts = opts.withDefaults()
	ctx := context.Background()
	db, m, err := openDB(ctx, dir, opts.MaxBytes)
	var q *quarantined
	if errors.As(err, &q) {
		opts.Logger.Error("outbox database damaged, replaced", "dir", dir, "aside", q.aside, "cause", q.cause)
	} else if err != nil {
		return nil, fmt.Errorf("outbox %s: %w", dir, err)
	}
	o := &Outbox{
		db: db, dir: dir, epoch: m.epoch, opts: opts, log: opts.Logger,
		notify: make(chan struct{}, 1), stop: make(chan struct{}),
		committed: committed,
	}
	o.maxSeq.Store(m.maxSeq)
	o.buf.init(opts.MaxBatch * pendingFactor)
	o.dropped.Store(m.dropped)
	if err := o.loadCounts(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("outbox %s: %w", dir, err)
	}
	o.flusherWG.Add(1)
	go o.flusher()
	return o, nil
}

func (o *Outbox) loadCounts(ctx context.Context) error {
	row := o.db.QueryRowContext(ctx,
		`SELECT COUNT(*), COALESCE(SUM(n), 0), COALESCE(SUM(length(payload)), 0) FROM batches`)
	return row.Scan(&o.pending.batches, &o.pending.samples, &o.pending.bytes)
}

// Epoch is the random identity of this outbox, part of every batch key.
func (o *Outbox) Epoch() string { return o.epoch }

// Add hands samples to the outbox; they are durable within FlushInterval.
// It copies the slice. See the package doc for its back-pressure bound.
func (o *Outbox) Add(samples []bus.WireSample) {
	if len(samples) == 0 {
		return
	}
	full, lost := o.buf.add(samples, maxAddWait)
	if lost > 0 {
		o.dropped.Add(int64(lost))
		o.log.Warn("outbox buffer full, dropped oldest samples", "dropped", lost, "dropped_total", o.dropped.Load())
	}
	if full >= o.opts.MaxBatch*kickFactor {
		o.buf.kickFlusher()
	}
}

// Backlog reports the batches and payload bytes waiting for acknowledgement
// and the samples dropped so far.
func (o *Outbox) Backlog() (batches, bytes, dropped int64) {
	o.rowsMu.Lock()
	defer o.rowsMu.Unlock()
	return o.pending.batches, o.pending.bytes, o.dropped.Load()
}

// Stats returns a snapshot for status reports and metrics.
func (o *Outbox) Stats() Stats {
	o.rowsMu.Lock()
	p := o.pending
	o.rowsMu.Unlock()
	last := o.maxSeq.Load()
	return Stats{
		Epoch: o.epoch, Batches: p.batches, Samples: p.samples, Bytes: p.bytes,
		DiskBytes: diskBytes(o.dir), Buffered: int64(o.buf.len()), OldestAge: o.oldestAge(),
		LastSeq: last, Dropped: o.dropped.Load(), Sent: o.sent.Load(), Acked: o.acked.Load(),
		Duplicates: o.duplicates.Load(), Failures: o.failures.Load(),
	}
}

func (o *Outbox) oldestAge() time.Duration {
	var created int64
	err := o.db.QueryRow(`SELECT created_ms FROM batches ORDER BY seq LIMIT 1`).Scan(&created)
	if err != nil {
		return 0
	}
	return time.Since(time.UnixMilli(created))
}

// Close makes every buffered sample durable, stops the flusher and closes
// the database. Run must have returned first.
func (o *Outbox) Close() error {
	o.closeOnce.Do(func() {
		close(o.stop)
		o.flusherWG.Wait()
		o.buf.close()
		err := o.flush()
		if _, cerr := o.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); cerr != nil {
			o.log.Warn("outbox checkpoint on close", "err", cerr)
		}
		o.closeErr = errors.Join(err, o.db.Close())
	})
	return o.closeErr
}

// signal wakes the sender without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
