package outbox

import (
	"sync"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

// buffer holds added samples until the flusher takes them. It is bounded:
// past limit samples, add waits for a take and then drops the oldest.
type buffer struct {
	mu      sync.Mutex
	samples []bus.WireSample
	spare   []bus.WireSample // a taken slice given back, reused to avoid regrowing
	limit   int
	taken   chan struct{} // closed (and replaced) by every take
	kick    chan struct{} // capacity 1: asks the flusher to run now
	closed  bool
}

func (b *buffer) init(limit int) {
	b.limit = limit
	b.taken = make(chan struct{})
	b.kick = make(chan struct{}, 1)
}

// add appends a copy of s. When the buffer is at its limit it waits up to
// wait for the flusher; if there is still no room it drops the oldest
// buffered samples. It returns the buffered count and the samples lost
// (all of s once the buffer is closed).
func (b *buffer) add(s []bus.WireSample, wait time.Duration) (buffered, lost int) {
	var timer *time.Timer
	expired := false
	for {
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			return 0, len(s)
		}
		if len(b.samples) == 0 || len(b.samples)+len(s) <= b.limit {
			return b.appendLocked(s, 0)
		}
		if expired {
			return b.appendLocked(s, len(b.samples)+len(s)-b.limit)
		}
		taken := b.taken
		b.mu.Unlock()
		b.kickFlusher()
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-taken:
		case <-timer.C:
			expired = true
		}
	}
}

// appendLocked drops up to drop of the oldest buffered samples, appends s
// and unlocks.
func (b *buffer) appendLocked(s []bus.WireSample, drop int) (buffered, lost int) {
	drop = min(max(drop, 0), len(b.samples))
	if drop > 0 {
		b.samples = append(b.samples[:0:0], b.samples[drop:]...)
	}
	b.samples = append(b.samples, s...)
	n := len(b.samples)
	b.mu.Unlock()
	return n, drop
}

// take hands every buffered sample to the caller and wakes waiting adds.
func (b *buffer) take() []bus.WireSample {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.samples) == 0 {
		return nil
	}
	s := b.samples
	b.samples, b.spare = b.spare, nil
	close(b.taken)
	b.taken = make(chan struct{})
	return s
}

// recycle gives back a slice from take once its samples are encoded.
func (b *buffer) recycle(s []bus.WireSample) {
	if cap(s) > 4*b.limit { // an outsized burst: let it go
		return
	}
	clear(s) // drop references to values
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.spare == nil {
		b.spare = s[:0]
	}
}

func (b *buffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.samples)
}

// close makes later adds fail fast; what is buffered stays for a last take.
func (b *buffer) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
}

func (b *buffer) kickFlusher() { signal(b.kick) }
