// Package engine is the IOTOS collection engine for one gateway: it keeps the
// gateway's device tables (cached on disk, so it starts while the platform is
// down), runs one worker per device that owns its driver, turns what drivers
// read into reported samples (transform, type, quality, deadband) for the
// outbox, and serves the platform's commands.
package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

// Sink receives every reported sample; the outbox makes them durable within
// 100 ms and delivers them.
type Sink interface {
	// Add takes samples; it may block briefly for back-pressure, never long.
	// The engine reuses the slice once Add returns: keep a copy, not it.
	Add(samples []bus.WireSample)
	// Backlog reports what waits for delivery and what was dropped.
	Backlog() (batches, bytes, dropped int64)
}

// Options configure an Engine.
type Options struct {
	Gateway string
	// Dir is the engine's own directory, <data-dir>/engine/<gw>/: the table
	// cache and the lock file live here.
	Dir string
	// Link is the connection to the platform; it may be down at start, or
	// nil to run from the cache alone.
	Link bus.EngineLink
	// Sink is where samples go (the outbox).
	Sink   Sink
	Logger *slog.Logger
	// Registry resolves driver names; nil means the driver package's registry.
	Registry func(name string) (driver.Factory, bool)
	// Epoch is reported in the status (the outbox's epoch).
	Epoch string
}

// Engine runs one gateway's devices.
type Engine struct {
	opts   Options
	log    *slog.Logger
	lock   *dirLock
	cache  tableCache
	memory memory
	status statusKicker

	mu      sync.RWMutex
	devices map[string]*device // by device ID
	names   map[string]string  // device name → ID
	subs    map[string][]*device
	runCtx  context.Context // set while Run runs; nil before and after
	workers sync.WaitGroup

	reload    chan struct{}
	closeOnce sync.Once
}

// New checks the options, creates Dir and takes its lock, so two engines
// never share a directory. Nothing runs until Run.
func New(opts Options) (*Engine, error) {
	if opts.Gateway == "" || opts.Dir == "" || opts.Sink == nil {
		return nil, fmt.Errorf("engine: Gateway, Dir and Sink are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Registry == nil {
		opts.Registry = lookupRegistered
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("engine %s: %w", opts.Gateway, err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("engine %s: %w", opts.Gateway, err)
	}
	e := &Engine{
		opts:    opts,
		log:     opts.Logger.With("gateway", opts.Gateway),
		lock:    lock,
		cache:   tableCache{dir: tablesDir(opts.Dir)},
		devices: map[string]*device{},
		names:   map[string]string{},
		subs:    map[string][]*device{},
		reload:  make(chan struct{}, 1),
		status:  newStatusKicker(),
	}
	return e, nil
}

func lookupRegistered(name string) (driver.Factory, bool) {
	r, ok := driver.Lookup(name)
	return r.Factory, ok
}

// Run starts the cached devices at once, keeps the tables in step with the
// platform, serves commands and publishes status until ctx ends; then it
// stops every worker, releases the directory lock and returns.
func (e *Engine) Run(ctx context.Context) error {
	defer e.Close()
	e.mu.Lock()
	if e.runCtx != nil {
		e.mu.Unlock()
		return fmt.Errorf("engine %s: already running", e.opts.Gateway)
	}
	e.runCtx = ctx
	e.mu.Unlock()

	e.startCached()
	var loops sync.WaitGroup
	loops.Add(2)
	go func() { defer loops.Done(); e.tableLoop(ctx) }()
	go func() { defer loops.Done(); e.statusLoop(ctx) }()
	<-ctx.Done()
	loops.Wait()
	e.stopAll()
	return nil
}

// Close releases the directory lock; Run calls it on return. It is only
// needed on its own when Run is never called.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() { err = e.lock.release() })
	return err
}

// stopAll stops every worker and waits for them.
func (e *Engine) stopAll() {
	e.mu.Lock()
	devs := make([]*device, 0, len(e.devices))
	for _, d := range e.devices {
		devs = append(devs, d)
	}
	e.runCtx = nil
	e.mu.Unlock()
	for _, d := range devs {
		d.stop()
	}
	e.workers.Wait()
}
