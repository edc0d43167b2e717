package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/store"
)

// slowAuditStore is a store whose AppendAudit blocks until released, as the
// SQLite writer does while an ingest transaction holds it.
type slowAuditStore struct {
	store.Store
	release chan struct{}
	mu      sync.Mutex
	recs    []store.AuditRecord
	fail    bool
}

func (s *slowAuditStore) AppendAudit(_ context.Context, r store.AuditRecord) error {
	<-s.release
	if s.fail {
		return errors.New("disk full")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, r)
	return nil
}

func (s *slowAuditStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

// A record does not wait for the store; sync waits for every record queued
// before it; close writes what is queued; nothing is lost.
func TestAuditLogOffTheRequestPath(t *testing.T) {
	st := &slowAuditStore{release: make(chan struct{})}
	l := newAuditLog(st, func(store.AuditRecord, error) { t.Error("a record failed") })
	appended := make(chan struct{})
	go func() {
		for i := range 10 {
			l.append(store.AuditRecord{Action: "write", Object: string(rune('a' + i))})
		}
		close(appended)
	}()
	select {
	case <-appended:
	case <-time.After(10 * time.Second):
		t.Fatal("append waited for the store")
	}
	synced := make(chan error, 1)
	go func() { synced <- l.sync(context.Background()) }()
	select {
	case <-synced:
		t.Fatal("sync returned before the queued records were written")
	case <-time.After(50 * time.Millisecond):
	}
	close(st.release)
	if err := <-synced; err != nil || st.count() != 10 {
		t.Fatalf("sync = %v with %d records written, want 10", err, st.count())
	}
	for i := range 5 {
		l.append(store.AuditRecord{Action: "collect", Object: string(rune('k' + i))})
	}
	l.close()
	if n := st.count(); n != 15 {
		t.Fatalf("%d records after close, want 15", n)
	}
	l.append(store.AuditRecord{Action: "login"}) // after close: written at once
	if n := st.count(); n != 16 {
		t.Fatalf("%d records after an append past close, want 16", n)
	}
	if err := l.sync(context.Background()); err != nil {
		t.Fatalf("sync after close: %v", err)
	}
	st.recs = st.recs[:0]
	for i, r := range []string{"a", "b", "c"} {
		l.append(store.AuditRecord{Object: r})
		if st.recs[i].Object != r {
			t.Fatalf("order lost: %+v", st.recs)
		}
	}
}

// A sync whose context ends returns its error instead of waiting.
func TestAuditLogSyncHonoursContext(t *testing.T) {
	st := &slowAuditStore{release: make(chan struct{})}
	l := newAuditLog(st, func(store.AuditRecord, error) {})
	l.append(store.AuditRecord{Action: "write"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.sync(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sync = %v, want the deadline", err)
	}
	st.fail = true
	close(st.release)
	l.close()
}
