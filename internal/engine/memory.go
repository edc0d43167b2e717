package engine

import (
	"strings"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
)

// memory is the engine's last value of every point, keyed "dev.pt", which
// drivers read through Host.Value without touching a device.
type memory struct {
	mu     sync.RWMutex
	values map[string]driver.Sample
}

func (m *memory) set(key string, s driver.Sample) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]driver.Sample{}
	}
	m.values[key] = s
}

func (m *memory) get(key string) (driver.Sample, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.values[key]
	return s, ok
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
