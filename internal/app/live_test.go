package app

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/internal/store/sqlite"
)

// precommitStore fails the first Ingest, after recording what the live
// hook had received by then.
type precommitStore struct {
	*sqlite.Store
	mu       sync.Mutex
	calls    int
	pushedAt []int // hook calls seen at each Ingest
	pushed   func() int
}

func (f *precommitStore) Ingest(ctx context.Context, key store.BatchKey, s []model.Sample) (bool, error) {
	f.mu.Lock()
	f.calls++
	f.pushedAt = append(f.pushedAt, f.pushed())
	first := f.calls == 1
	f.mu.Unlock()
	if first {
		return false, errors.New("disk full")
	}
	return f.Store.Ingest(ctx, key, s)
}

// TestLivePushPrecedesCommitAndHappensOnce: subscribers get a batch before
// its durable write, once, even when the write fails and the engine sends
// the batch again; the ack and the current value wait for the commit.
func TestLivePushPrecedesCommitAndHappensOnce(t *testing.T) {
	st := &precommitStore{Store: openStore(t, filepath.Join(t.TempDir(), "iotos.db"))}
	a, err := New(Options{Store: st, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
		st.Store.Close()
	})
	f := seed(t, a)
	var mu sync.Mutex
	var fanned [][]model.Sample
	st.pushed = func() int { mu.Lock(); defer mu.Unlock(); return len(fanned) }
	a.SetOnSamples(func(s []model.Sample) { mu.Lock(); fanned = append(fanned, s); mu.Unlock() })
	ctx := context.Background()
	b := bus.Batch{Epoch: "e1", Seq: 1, Samples: []bus.WireSample{{P: rel(f.temp), V: 20.5, T: 1000}}}

	if _, err := a.Batch(ctx, f.gw, b); err == nil {
		t.Fatal("batch acknowledged although its write failed")
	}
	if vals, err := a.CurrentValues(ctx, []string{f.temp.FullID()}); err != nil || vals[0].Value != nil {
		t.Fatalf("current value %+v (%v) before any commit", vals, err)
	}
	ack, err := a.Batch(ctx, f.gw, b)
	if err != nil || ack.Seq != 1 || ack.Duplicate {
		t.Fatalf("retry: ack %+v, %v", ack, err)
	}
	if _, err := a.Batch(ctx, f.gw, b); err != nil {
		t.Fatal(err)
	}
	if len(st.pushedAt) != 3 || st.pushedAt[0] != 1 {
		t.Fatalf("hook calls at each write %v, want the push before the first write", st.pushedAt)
	}
	if len(fanned) != 1 || len(fanned[0]) != 1 || fanned[0][0].Value != 20.5 {
		t.Fatalf("fan-out %+v, want the batch once", fanned)
	}
	if vals, err := a.CurrentValues(ctx, []string{f.temp.FullID()}); err != nil || vals[0].Value != 20.5 {
		t.Fatalf("current value %+v (%v) after the commit", vals, err)
	}
}

// TestRecentBatchesForgetsTheOldest: the set is bounded, oldest out first.
func TestRecentBatchesForgetsTheOldest(t *testing.T) {
	var r recentBatches
	key := func(i int) store.BatchKey { return store.BatchKey{Gateway: "g", Epoch: "e", Seq: uint64(i)} }
	for i := range recentBatchesCap {
		if !r.first(key(i)) {
			t.Fatalf("key %d reported seen", i)
		}
	}
	if r.first(key(0)) || r.first(key(recentBatchesCap-1)) {
		t.Fatal("remembered keys reported new")
	}
	if !r.first(key(recentBatchesCap)) || !r.first(key(recentBatchesCap+1)) {
		t.Fatal("new keys reported seen")
	}
	if r.first(key(2)) {
		t.Fatal("key 2 forgotten before the older keys 0 and 1")
	}
	if !r.first(key(0)) || !r.first(key(1)) {
		t.Fatal("evicted keys still remembered")
	}
}
