package sqlite

import "sync"

// pointKeys caches history_points (full ID → key). Only committed keys enter
// it, so a rolled-back Ingest cannot leave a key that does not exist; a
// cached ID is also known to be valid, so Ingest skips re-parsing it.
type pointKeys struct {
	mu sync.RWMutex
	m  map[string]int64
}

func (k *pointKeys) get(id string) (int64, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	v, ok := k.m[id]
	return v, ok
}

func (k *pointKeys) add(m map[string]int64) {
	if len(m) == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, v := range m {
		k.m[id] = v
	}
}
