package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// fakeLink is an in-memory platform: it stores each (epoch, seq) once,
// acknowledges repeats as duplicates, can go down and up, can lose an
// acknowledgement after storing, and records what it received in order.
type fakeLink struct {
	mu          sync.Mutex
	up          bool
	delay       time.Duration // per SendBatch, to make pipelining matter
	gate        chan struct{} // when set, each SendBatch waits for a value or close
	inCall      int           // SendBatch calls in progress
	maxInCall   int
	loseAcks    int // the next n stored batches get a timeout instead of an ack
	stored      map[string]bool
	received    []bus.Batch // first deliveries, in arrival order
	calls       int
	reconnected chan struct{}
}

var _ bus.EngineLink = (*fakeLink)(nil)

func newFakeLink(up bool) *fakeLink {
	return &fakeLink{up: up, stored: map[string]bool{}, reconnected: make(chan struct{}, 1)}
}

func (f *fakeLink) SendBatch(ctx context.Context, b bus.Batch) (bus.Ack, error) {
	f.mu.Lock()
	f.inCall++
	f.maxInCall = max(f.maxInCall, f.inCall)
	gate := f.gate
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inCall--
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return bus.Ack{}, codes.From(ctx.Err())
		}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return bus.Ack{}, codes.From(ctx.Err())
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if !f.up {
		return bus.Ack{}, codes.New(codes.NoWebSer, "not connected")
	}
	key := fmt.Sprintf("%s/%d", b.Epoch, b.Seq)
	if f.stored[key] {
		return bus.Ack{Seq: b.Seq, Duplicate: true}, nil
	}
	f.stored[key] = true
	f.received = append(f.received, b)
	if f.loseAcks > 0 {
		f.loseAcks--
		return bus.Ack{}, codes.New(codes.Timeout, "acknowledgement lost")
	}
	return bus.Ack{Seq: b.Seq}, nil
}

func (f *fakeLink) setUp(up bool) {
	f.mu.Lock()
	f.up = up
	f.mu.Unlock()
	if up {
		select {
		case f.reconnected <- struct{}{}:
		default:
		}
	}
}

func (f *fakeLink) loseNextAcks(n int) {
	f.mu.Lock()
	f.loseAcks = n
	f.mu.Unlock()
}

// batches returns a copy of the first deliveries.
func (f *fakeLink) batches() []bus.Batch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bus.Batch(nil), f.received...)
}

func (f *fakeLink) concurrency() (now, highest int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inCall, f.maxInCall
}

func (f *fakeLink) sampleCount() int {
	n := 0
	for _, b := range f.batches() {
		n += len(b.Samples)
	}
	return n
}

func (f *fakeLink) Gateway() string                { return "0123456789abcdef0123456789abcdef" }
func (f *fakeLink) PublishStatus(bus.Status) error { return nil }
func (f *fakeLink) Serve(bus.EngineHandler) error  { return nil }
func (f *fakeLink) Reconnected() <-chan struct{}   { return f.reconnected }
func (f *fakeLink) Close() error                   { return nil }
func (f *fakeLink) TableIndex(context.Context) (bus.TableIndex, error) {
	return bus.TableIndex{}, errors.New("fake link: no tables")
}
func (f *fakeLink) DeviceTable(context.Context, string) (bus.DeviceTable, error) {
	return bus.DeviceTable{}, errors.New("fake link: no tables")
}
func (f *fakeLink) Values(context.Context, []string) ([]model.Sample, error) {
	return nil, errors.New("fake link: no values")
}
func (f *fakeLink) Connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.up
}
