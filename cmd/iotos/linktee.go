package main

import (
	"context"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/engine"
)

// sharedLink gives one consumer of an engine link its own Reconnected
// channel: the link has a single signal channel, and the engine's table
// loop and the outbox's sender must both hear every reconnection.
type sharedLink struct {
	bus.EngineLink
	signal chan struct{}
}

func (l *sharedLink) Reconnected() <-chan struct{} { return l.signal }

// teeLink splits link's reconnection signal over n consumers until ctx ends.
func teeLink(ctx context.Context, link bus.EngineLink, n int) []bus.EngineLink {
	out := make([]bus.EngineLink, n)
	sigs := make([]chan struct{}, n)
	for i := range out {
		sigs[i] = make(chan struct{}, 1)
		out[i] = &sharedLink{EngineLink: link, signal: sigs[i]}
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-link.Reconnected():
				for _, s := range sigs {
					select {
					case s <- struct{}{}:
					default: // a signal is already pending for this consumer
					}
				}
			}
		}
	}()
	return out
}

// lateSink lets the engine take its directory lock before the outbox in that
// directory is opened: the engine is built with this sink, which forwards to
// the outbox once it is set (the engine adds nothing before Run).
type lateSink struct {
	mu sync.RWMutex
	to engine.Sink
}

func (s *lateSink) set(to engine.Sink) {
	s.mu.Lock()
	s.to = to
	s.mu.Unlock()
}

func (s *lateSink) Add(samples []bus.WireSample) {
	s.mu.RLock()
	to := s.to
	s.mu.RUnlock()
	to.Add(samples)
}

func (s *lateSink) Backlog() (batches, bytes, dropped int64) {
	s.mu.RLock()
	to := s.to
	s.mu.RUnlock()
	if to == nil {
		return 0, 0, 0
	}
	return to.Backlog()
}
