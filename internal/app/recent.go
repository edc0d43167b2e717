package app

import (
	"sync"

	"github.com/iotos/iotos/internal/store"
)

// recentBatchesCap bounds the batch keys remembered for the live push. An
// engine keeps a few batches in flight and retries within seconds, so a
// batch sent again is far more recent than this many others.
const recentBatchesCap = 8192

// recentBatches remembers the last batch keys seen, so that a batch sent
// again is pushed to live subscribers only once. The zero value is ready.
type recentBatches struct {
	mu   sync.Mutex
	set  map[store.BatchKey]struct{}
	ring []store.BatchKey // insertion order; the oldest is evicted
	next int
}

// first records key and reports whether it was not remembered yet.
func (r *recentBatches) first(key store.BatchKey) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.set[key]; seen {
		return false
	}
	if r.set == nil {
		r.set = make(map[store.BatchKey]struct{}, recentBatchesCap)
		r.ring = make([]store.BatchKey, 0, recentBatchesCap)
	}
	if len(r.ring) < recentBatchesCap {
		r.ring = append(r.ring, key)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = key
		r.next = (r.next + 1) % recentBatchesCap
	}
	r.set[key] = struct{}{}
	return true
}
