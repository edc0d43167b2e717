package engine

import (
	"strings"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
)

// memory is the engine's last value of every point, keyed "dev.pt", which
// drivers read through Host.Value without touching a device.
//
// Each key has a slot that its point keeps a pointer to, so storing a
// value on the hot path (every sample of every poll) is a pointer write
// under the lock rather than a string build, a hash and a map assignment.
type memory struct {
	mu     sync.RWMutex
	values map[string]*memSlot
}

// memSlot is one key's last value; guarded by memory.mu.
type memSlot struct {
	s  driver.Sample
	ok bool // a value was stored
}

// slot returns key's slot, creating it empty. A device replaced by a new
// table gets the same slots back, so its last values survive the restart.
func (m *memory) slot(key string) *memSlot {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]*memSlot{}
	}
	sl := m.values[key]
	if sl == nil {
		sl = &memSlot{}
		m.values[key] = sl
	}
	return sl
}

// store records s as the slot's value.
func (m *memory) store(sl *memSlot, s driver.Sample) {
	m.mu.Lock()
	sl.s, sl.ok = s, true
	m.mu.Unlock()
}

func (m *memory) get(key string) (driver.Sample, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	sl := m.values[key]
	if sl == nil || !sl.ok {
		return driver.Sample{}, false
	}
	return sl.s, true
}

// forgetDevice drops a removed device's values.
func (m *memory) forgetDevice(dev string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.values {
		if strings.HasPrefix(k, dev+".") {
			delete(m.values, k)
		}
	}
}
