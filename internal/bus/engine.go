package bus

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// Connection tuning for engines: pings find a dead link in about a minute
// instead of the client default of several; drain gives in-flight replies a
// bounded time on Close.
const (
	pingInterval = 20 * time.Second
	drainTimeout = 5 * time.Second
)

// EngineOptions configure an engine's connection to the platform.
type EngineOptions struct {
	URL     string // nats://host:port or tls://host:port
	Gateway string // 32-hex gateway ID, the NATS user name
	Key     string // the gateway key, the NATS password
	TLSCA   string // PEM file of the CA that signed the platform's certificate
	Logger  *slog.Logger
}

// EngineConn is the EngineLink DialEngine and EngineLinkInProcess return.
//
// Besides the EngineLink methods it has Fatal: an engine must watch it and
// exit when it fires, because the platform refused the gateway key before
// the link ever connected (DESIGN.md §7). Once the link has connected, no
// failure is fatal: it reconnects, and rebuilds a closed connection, forever.
type EngineConn struct {
	gw       string
	logger   *slog.Logger
	natsOpts []nats.Option // shared by every (re)built connection
	url      string

	ctx      context.Context // canceled by Close; stops dial loops
	cancel   context.CancelFunc
	wg       sync.WaitGroup  // dial loops
	cmdCtx   context.Context // parent of command handler contexts
	cmdStop  context.CancelFunc
	handlers sync.WaitGroup // running command handlers

	reconnected chan struct{}
	fatal       chan error
	drops       dropSignal // ends requests whose connection dropped

	mu      sync.Mutex
	nc      *nats.Conn
	ncDone  chan struct{} // closed when nc is closed
	handler EngineHandler
	closed  bool
}

var _ EngineLink = (*EngineConn)(nil)

// DialEngine connects an engine to the platform as its gateway.
//
// A key the running platform refuses on this first attempt is code 107. An
// unreachable platform is not an error: the link keeps dialing in the
// background (the engine runs from its cached tables meanwhile) and fires
// Reconnected when it gets through — or Fatal, if the platform then refuses
// the key.
func DialEngine(ctx context.Context, opts EngineOptions) (EngineLink, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.URL == "" {
		return nil, codes.New(codes.ArgError, "engine link: no platform URL")
	}
	var extra []nats.Option
	if opts.TLSCA != "" {
		conf, err := clientTLS(opts.TLSCA)
		if err != nil {
			return nil, err
		}
		extra = append(extra, nats.Secure(conf))
	}
	e, err := newEngineConn(opts.URL, opts.Gateway, opts.Key, opts.Logger, extra)
	if err != nil {
		return nil, err
	}
	if err := e.start(true); err != nil {
		return nil, err
	}
	return e, nil
}

func newEngineConn(url, gw, key string, logger *slog.Logger, extra []nats.Option) (*EngineConn, error) {
	if !model.IsHexID(gw, model.GatewayIDLen) {
		return nil, codes.New(codes.ArgError, "engine link: gateway %q is not a 32-hex ID", gw)
	}
	if key == "" {
		return nil, codes.New(codes.ArgError, "engine link: gateway %s has no key", gw)
	}
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmdCtx, cmdStop := context.WithCancel(context.Background())
	e := &EngineConn{
		cmdCtx:      cmdCtx,
		cmdStop:     cmdStop,
		gw:          gw,
		logger:      logger.With("gateway", gw),
		url:         url,
		ctx:         ctx,
		cancel:      cancel,
		reconnected: make(chan struct{}, 1),
		fatal:       make(chan error, 1),
	}
	e.natsOpts = append([]nats.Option{
		nats.Name("iotos-engine " + gw),
		nats.UserInfo(gw, key),
		nats.CustomInboxPrefix(InboxPrefix(gw)),
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(reconnectDelay),
		// A platform that is still starting refuses logins for a moment;
		// the client must not give up after two such refusals.
		nats.IgnoreAuthErrorAbort(),
		nats.PingInterval(pingInterval),
		nats.DrainTimeout(drainTimeout),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			// The client resubscribed; the round trip makes the
			// subscriptions live before anyone is told.
			_ = nc.FlushTimeout(defaultRequestTimeout)
			e.logger.Info("bus: reconnected")
			e.signalReconnected()
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			e.drops.dropped()
			e.logger.Warn("bus: disconnected", "err", err)
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			e.logger.Warn("bus: asynchronous error", "err", err)
		}),
	}, extra...)
	return e, nil
}

func (e *EngineConn) signalReconnected() {
	select {
	case e.reconnected <- struct{}{}:
	default:
	}
}

func (e *EngineConn) conn() *nats.Conn {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nc
}

// Gateway is the gateway ID the link is logged in as.
func (e *EngineConn) Gateway() string { return e.gw }

// Connected reports whether the link is up now.
func (e *EngineConn) Connected() bool {
	nc := e.conn()
	return nc != nil && nc.IsConnected()
}

// Reconnected receives a value after every successful (re)connection.
func (e *EngineConn) Reconnected() <-chan struct{} { return e.reconnected }

// Fatal receives one code-107 error if the platform refuses the key before
// the link has ever connected; the link has stopped dialing by then and the
// engine should exit non-zero.
func (e *EngineConn) Fatal() <-chan error { return e.fatal }

// Close stops dialing, lets running command handlers answer (cancelling
// their contexts after drainTimeout), then drains and closes the connection.
func (e *EngineConn) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.waitHandlers()
	e.mu.Lock()
	nc, done := e.nc, e.ncDone
	e.mu.Unlock()
	if nc != nil {
		closeConn(nc, done)
	}
	return nil
}

// stop releases the contexts of a link that failed to start.
func (e *EngineConn) stop() {
	e.cancel()
	e.cmdStop()
}

// waitHandlers waits for command handlers, cancelling them if they run
// past drainTimeout.
func (e *EngineConn) waitHandlers() {
	finished := make(chan struct{})
	go func() {
		e.handlers.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-time.After(drainTimeout):
		e.cmdStop()
		<-finished
	}
	e.cmdStop()
}

// closeConn drains nc and waits until it is closed; a connection that
// cannot drain (it is down) is closed at once.
func closeConn(nc *nats.Conn, done <-chan struct{}) {
	if err := nc.Drain(); err != nil {
		nc.Close()
	}
	select {
	case <-done:
	case <-time.After(drainTimeout + time.Second):
		nc.Close()
	}
}
