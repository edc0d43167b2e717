// Package app holds the platform's use cases, shared by the REST API and the
// bus: model CRUD, table import/export, values, writes, history, users and
// audit. Transports decode input, call one method and encode the result.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// Options configure an App.
type Options struct {
	Store store.Store
	// Link carries commands to engines; nil means no engine is ever
	// reachable (commands answer 3).
	Link bus.PlatformLink
	// Disconnect drops a gateway's live engine connection (key rotation,
	// deletion); nil does nothing.
	Disconnect func(gw string)
	// Online reports whether a gateway's engine is connected now; nil uses
	// the recency of its status reports.
	Online func(gw string) bool
	Logger *slog.Logger
	Now    func() time.Time
	// TokenTTL is how long a session lasts (default 24 h).
	TokenTTL time.Duration
	// PasswordCost is the bcrypt cost of new password hashes (default
	// bcrypt.DefaultCost).
	PasswordCost int
	// SaveEvery is how often last values are persisted (default 250 ms).
	SaveEvery time.Duration
	// OnSamples receives every stored batch's samples (the live stream).
	// It is called from the ingest path and must not block.
	OnSamples func([]model.Sample)
}

// App is the platform's use cases.
type App struct {
	store      store.Store
	link       bus.PlatformLink
	disconnect func(gw string)
	online     func(gw string) bool
	log        *slog.Logger
	now        func() time.Time
	tokenTTL   time.Duration
	onSamples  atomic.Pointer[func([]model.Sample)]
	pwCost     int

	throttle *auth.Throttle
	audits   *auditLog
	cache    *valueCache
	known    *knownPoints
	status   *statusBoard
	ingest   ingestStats

	stop     context.CancelFunc
	done     chan struct{}
	closeErr error
	once     sync.Once
}

// New builds an App and loads the last-value cache from the store.
func New(opts Options) (*App, error) {
	if opts.Store == nil {
		return nil, errors.New("app: Options.Store is required")
	}
	a := &App{
		store:      opts.Store,
		link:       opts.Link,
		disconnect: opts.Disconnect,
		online:     opts.Online,
		log:        opts.Logger,
		now:        opts.Now,
		tokenTTL:   opts.TokenTTL,
		pwCost:     opts.PasswordCost,
		known:      newKnownPoints(),
		status:     newStatusBoard(),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.tokenTTL <= 0 {
		a.tokenTTL = auth.DefaultTokenTTL
	}
	if opts.OnSamples != nil {
		a.onSamples.Store(&opts.OnSamples)
	}
	if a.pwCost == 0 {
		a.pwCost = bcrypt.DefaultCost
	}
	if a.disconnect == nil {
		a.disconnect = func(string) {}
	}
	a.throttle = auth.NewThrottle(5, time.Minute, a.now)
	a.cache = newValueCache()
	ctx := context.Background()
	last, err := a.store.LastValues(ctx)
	if err != nil {
		return nil, fmt.Errorf("load last values: %w", err)
	}
	a.cache.load(last)
	a.audits = newAuditLog(a.store, func(r store.AuditRecord, err error) {
		a.log.Error("audit record lost", "action", r.Action, "object", r.Object, "err", err)
	})
	every := opts.SaveEvery
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	bg, cancel := context.WithCancel(context.Background())
	a.stop, a.done = cancel, make(chan struct{})
	go a.saveLoop(bg, every)
	return a, nil
}

// Close stops the background work and persists pending last values.
func (a *App) Close() error {
	a.once.Do(func() {
		a.stop()
		<-a.done
		a.audits.close()
		a.closeErr = a.flushLastValues(context.Background())
	})
	return a.closeErr
}

// SetOnSamples installs (or, with nil, removes) the live-stream hook; the
// stream starts after the App, so the hook can be set at any time.
func (a *App) SetOnSamples(f func([]model.Sample)) {
	if f == nil {
		a.onSamples.Store(nil)
		return
	}
	a.onSamples.Store(&f)
}
