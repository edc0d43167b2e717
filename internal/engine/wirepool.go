package engine

import (
	"sync"

	"github.com/iotos/iotos/internal/bus"
)

// wirePool recycles the slices of reported samples a pipeline run builds:
// the sink copies what it is given and subscribers get each sample by
// value, so the slice is free again once the run ends. A poll of a large
// device would otherwise allocate (and the collector scan) a slice of
// pointers per poll.
var wirePool = sync.Pool{New: func() any { return new([]bus.WireSample) }}

// maxPooledWire bounds the slices kept, so one huge push does not pin its
// memory for good.
const maxPooledWire = 1 << 16

// getWire returns an empty slice with room for n samples.
func getWire(n int) *[]bus.WireSample {
	w := wirePool.Get().(*[]bus.WireSample)
	if cap(*w) < n {
		*w = make([]bus.WireSample, 0, n)
	}
	return w
}

// putWire clears w (dropping its references to values and keys) and gives
// it back.
func putWire(w *[]bus.WireSample) {
	if cap(*w) > maxPooledWire {
		return
	}
	clear(*w)
	*w = (*w)[:0]
	wirePool.Put(w)
}
