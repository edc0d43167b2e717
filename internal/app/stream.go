package app

import (
	"context"
	"strings"
	"sync"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// StreamFilter selects the points of a live subscription: full IDs, or every
// point of a gateway, or of one of its devices. The zero filter selects
// nothing, so a client may connect first and subscribe later.
type StreamFilter struct {
	IDs     []string `json:"ids,omitempty"`
	Gateway string   `json:"gateway,omitempty"`
	Device  string   `json:"device,omitempty"`
}

// Validate checks the filter's syntax: full IDs that parse (111), a gateway
// and device ID of the right form (105), and not both kinds at once.
func (f StreamFilter) Validate() error {
	if len(f.IDs) > 0 && f.Gateway != "" {
		return codes.New(codes.ArgError, "stream: subscribe by ids or by gateway, not both")
	}
	if f.Device != "" && f.Gateway == "" {
		return codes.New(codes.ArgError, "stream: device %q needs its gateway", f.Device)
	}
	for _, id := range f.IDs {
		if _, err := model.ParseFullID(id); err != nil {
			return err
		}
	}
	if f.Gateway != "" && !model.IsHexID(f.Gateway, model.GatewayIDLen) {
		return codes.New(codes.ArgError, "stream: gateway %q is not a gateway ID (32 hex)", f.Gateway)
	}
	if f.Device != "" && !model.IsHexID(f.Device, model.DeviceIDLen) {
		return codes.New(codes.ArgError, "stream: device %q is not a device ID (8 hex)", f.Device)
	}
	return nil
}

// keys are the hub's index keys of the filter: each full ID, or the
// gateway ("gw") or device ("gw.dev") prefix, without duplicates.
func (f StreamFilter) keys() []string {
	switch {
	case f.Gateway != "" && f.Device != "":
		return []string{f.Gateway + "." + f.Device}
	case f.Gateway != "":
		return []string{f.Gateway}
	}
	seen := make(map[string]struct{}, len(f.IDs))
	out := make([]string, 0, len(f.IDs))
	for _, id := range f.IDs {
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

// StreamSnapshot returns the current samples of everything a filter
// selects; a gateway or device that does not exist is 108/109.
func (a *App) StreamSnapshot(ctx context.Context, f StreamFilter) ([]model.Sample, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Gateway != "" {
		return a.ValuesOf(ctx, f.Gateway, f.Device)
	}
	return a.CurrentValues(ctx, f.keys())
}

// AttachStream makes the hub receive every ingested sample and closes it
// when the App closes, so live streams end cleanly on shutdown.
func (a *App) AttachStream(h *Hub) {
	a.SetOnSamples(h.Publish)
	go func() {
		select {
		case <-a.done:
			h.Close()
		case <-h.Done():
		}
	}()
}

// HubOptions size the per-subscriber queues.
type HubOptions struct {
	// QueueLimit bounds each subscriber's pending samples; beyond it the
	// queue is discarded and the loss reported (default 20,000).
	QueueLimit int
	// Batch is the pending count at which a subscriber is woken to flush
	// at once instead of waiting for its coalescing delay (default 1,000).
	Batch int
}

// Hub fans ingested samples out to live subscribers. Publish is called on
// the ingest path, so it never blocks on a subscriber: each one has a
// bounded queue that it drains at its own pace. Subscribers are indexed by
// point and by gateway/device prefix, so a sample costs a few map lookups
// however many clients watch other points.
type Hub struct {
	opts HubOptions

	mu     sync.RWMutex
	index  map[string]map[*Subscription]struct{}
	closed bool
	done   chan struct{}
}

// NewHub returns an empty hub.
func NewHub(opts HubOptions) *Hub {
	if opts.QueueLimit <= 0 {
		opts.QueueLimit = 20000
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Batch > opts.QueueLimit {
		opts.Batch = opts.QueueLimit
	}
	return &Hub{opts: opts, index: map[string]map[*Subscription]struct{}{}, done: make(chan struct{})}
}

// Done is closed when the hub closes; subscribers should then end.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Close ends the hub: Publish becomes a no-op and Done is closed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// Publish queues samples for every subscriber that selects them.
func (h *Hub) Publish(samples []model.Sample) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed || len(h.index) == 0 {
		return
	}
	// Subscribers whose queue this call started are woken at the end, so
	// their owner finds the whole call's samples instead of the first one.
	var started []*Subscription
	for _, s := range samples {
		started = h.deliver(s.ID, s, started)
		if gw, dev, ok := prefixes(s.ID); ok {
			started = h.deliver(gw, s, started)
			started = h.deliver(dev, s, started)
		}
	}
	for _, sub := range started {
		sub.signal()
	}
}

// deliver pushes s to the subscribers of key and appends to started those
// whose queue it started.
func (h *Hub) deliver(key string, s model.Sample, started []*Subscription) []*Subscription {
	for sub := range h.index[key] {
		if sub.push(s) {
			started = append(started, sub)
		}
	}
	return started
}

// prefixes returns "gw" and "gw.dev" of a full ID "gw.dev.pt".
func prefixes(id string) (gw, dev string, ok bool) {
	i := strings.IndexByte(id, '.')
	j := strings.LastIndexByte(id, '.')
	if i <= 0 || j <= i {
		return "", "", false
	}
	return id[:i], id[:j], true
}

// Subscribe registers a subscriber for the filter's points.
func (h *Hub) Subscribe(f StreamFilter) *Subscription {
	sub := &Subscription{hub: h, wake: make(chan struct{}, 1)}
	sub.Update(f)
	return sub
}

func (h *Hub) add(sub *Subscription, keys []string) {
	for _, k := range keys {
		set := h.index[k]
		if set == nil {
			set = map[*Subscription]struct{}{}
			h.index[k] = set
		}
		set[sub] = struct{}{}
	}
}

func (h *Hub) remove(sub *Subscription, keys []string) {
	for _, k := range keys {
		if set := h.index[k]; set != nil {
			delete(set, sub)
			if len(set) == 0 {
				delete(h.index, k)
			}
		}
	}
}

// Subscription is one live client's queue. The hub pushes into it; its
// owner waits on Wake and drains it with Take.
type Subscription struct {
	hub  *Hub
	wake chan struct{}

	mu      sync.Mutex
	keys    []string
	pending []model.Sample
	dropped int
	closed  bool
}

// Update replaces the subscription's filter. Samples queued for the old
// filter are discarded (the owner sends a fresh snapshot), but a pending
// drop count is kept so that it is still reported.
func (s *Subscription) Update(f StreamFilter) {
	keys := f.keys()
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	h.remove(s, s.keys)
	s.keys = keys
	s.pending = nil
	h.add(s, keys)
}

// Close unregisters the subscription; later samples are not queued.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		h.remove(s, s.keys)
		s.pending = nil
	}
}

// Wake is signalled when a Publish leaves samples in an empty queue (once
// the Publish has queued all of them), when the queue reaches the batch
// size, and when it overflows.
func (s *Subscription) Wake() <-chan struct{} { return s.wake }

// Ready reports whether the queue should be flushed without waiting: it
// holds a full batch, or it overflowed.
func (s *Subscription) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped > 0 || len(s.pending) >= s.hub.opts.Batch
}

// Take empties the queue. dropped > 0 means the queue overflowed since the
// last Take: that many samples were discarded, and the owner must tell its
// client and resend a snapshot instead of samples.
func (s *Subscription) Take() (samples []model.Sample, dropped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	samples, dropped = s.pending, s.dropped
	s.pending, s.dropped = nil, 0
	return samples, dropped
}

// push queues one sample and reports whether it started the queue, for
// the caller to signal when it is done. On overflow the whole queue is
// discarded rather than silently losing some samples: the owner reports
// the count and replaces the queue with a snapshot, which is never stale.
func (s *Subscription) push(sample model.Sample) (started bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return false
	case s.dropped > 0:
		s.dropped++
		return false
	case len(s.pending) >= s.hub.opts.QueueLimit:
		s.dropped = len(s.pending) + 1
		s.pending = nil
		s.signal()
		return false
	}
	s.pending = append(s.pending, sample)
	n := len(s.pending)
	if n == s.hub.opts.Batch {
		s.signal()
	}
	return n == 1
}

func (s *Subscription) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
