package app

import (
	"context"
	"sync"

	"github.com/iotos/iotos/internal/store"
)

// auditQueue is how many records may wait for the audit writer; beyond it a
// request writes its record itself rather than drop it.
const auditQueue = 4096

// auditLog writes audit records off the request path. A record is appended
// to the store right after the reply instead of before it, so a write's
// reply does not wait behind an ingest transaction holding the store's one
// writer (DESIGN.md §9: write round trip p99 < 10 ms under load). Reads of
// the log first wait for the queued records (sync), so whoever acted sees
// their action listed. Close writes what is queued.
type auditLog struct {
	store store.Store
	fail  func(store.AuditRecord, error)

	mu     sync.RWMutex // held for reading while sending; Close takes it
	closed bool
	queue  chan auditItem
	done   chan struct{}
}

// auditItem is a record to write, or a barrier (rec nil) to close once
// every record queued before it is written.
type auditItem struct {
	rec     *store.AuditRecord
	barrier chan struct{}
}

func newAuditLog(s store.Store, fail func(store.AuditRecord, error)) *auditLog {
	l := &auditLog{store: s, fail: fail, queue: make(chan auditItem, auditQueue), done: make(chan struct{})}
	go l.run()
	return l
}

// append queues r; with the queue full or the log closed it writes r now.
func (l *auditLog) append(r store.AuditRecord) {
	l.mu.RLock()
	if !l.closed {
		select {
		case l.queue <- auditItem{rec: &r}:
			l.mu.RUnlock()
			return
		default:
		}
	}
	l.mu.RUnlock()
	l.write(r)
}

// sync waits until every record queued so far is in the store, or ctx ends.
func (l *auditLog) sync(ctx context.Context) error {
	b := make(chan struct{})
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return nil
	}
	select {
	case l.queue <- auditItem{barrier: b}:
	case <-ctx.Done():
		l.mu.RUnlock()
		return ctx.Err()
	}
	l.mu.RUnlock()
	select {
	case <-b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close writes the queued records and stops the writer; later records are
// written by their requests.
func (l *auditLog) close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	close(l.queue) // no sender holds the read lock now
	l.mu.Unlock()
	<-l.done
}

func (l *auditLog) run() {
	defer close(l.done)
	for it := range l.queue {
		if it.barrier != nil {
			close(it.barrier)
			continue
		}
		l.write(*it.rec)
	}
}

func (l *auditLog) write(r store.AuditRecord) {
	if err := l.store.AppendAudit(context.Background(), r); err != nil {
		l.fail(r, err)
	}
}
