package opcua

import (
	"sync"

	"github.com/iotos/iotos/pkg/driver"
)

// valueCache holds the last sample each subscription delivered, so a poll
// of a subscribe-mode point answers from memory instead of asking the
// server again for a value it already pushed.
type valueCache struct {
	mu      sync.Mutex
	samples map[string]driver.Sample
}

func newValueCache() *valueCache {
	return &valueCache{samples: map[string]driver.Sample{}}
}

func (c *valueCache) put(s driver.Sample) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.samples[s.Point] = s
}

func (c *valueCache) get(point string) (driver.Sample, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.samples[point]
	return s, ok
}

// clear forgets every value, when the session they came from is gone.
func (c *valueCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.samples)
}
