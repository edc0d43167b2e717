package bus

import (
	"sync"

	"github.com/nats-io/nats.go"
)

// workerPool handles messages with a fixed number of goroutines. When all
// are busy, submit blocks the subscription's delivery, so the backlog waits
// in the client's bounded pending buffer instead of growing goroutines.
type workerPool struct {
	jobs chan *nats.Msg
	wg   sync.WaitGroup

	mu     sync.RWMutex
	closed bool
}

func newWorkerPool(workers int, handle func(*nats.Msg)) *workerPool {
	p := &workerPool{jobs: make(chan *nats.Msg, workers)}
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for msg := range p.jobs {
				handle(msg)
			}
		}()
	}
	return p
}

// submit queues msg; after close it drops it (the requester times out and
// retries, which the outbox is built for).
func (p *workerPool) submit(msg *nats.Msg) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return
	}
	p.jobs <- msg
}

// close stops intake and waits for queued and running messages.
func (p *workerPool) close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	p.wg.Wait()
}
