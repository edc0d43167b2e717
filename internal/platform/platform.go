// Package platform is the server's composition root: it starts the store,
// then the bus (so NATS accepts connections only once keys can be checked),
// then the use cases and the HTTP API, and stops them in reverse order.
package platform

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/iotos/iotos/internal/api"
	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/internal/store/postgres"
	"github.com/iotos/iotos/internal/store/sqlite"
)

// Config is what `iotos serve` and `iotos demo` configure.
type Config struct {
	DataDir       string
	HTTP          string // listen address of the API and console
	NATS          string // listen address of the embedded NATS; "" = in-process only
	DB            string // SQLite path (default <data-dir>/iotos.db) or a postgres:// URL
	AdminPassword string
	TLSCert       string
	TLSKey        string
	Retention     time.Duration // history older than this is removed; 0 = keep forever
	// ReadyDrain is how long Shutdown keeps serving with /readyz at 503
	// before it stops accepting requests, so load balancers see the platform
	// leave before its connections are refused.
	ReadyDrain time.Duration
	Logger     *slog.Logger
	Out        io.Writer // where first-start credentials are printed (default stdout)
}

// Platform is a running server.
type Platform struct {
	cfg      Config
	log      *slog.Logger
	store    store.Store
	bus      *bus.Server
	link     bus.PlatformLink
	app      *app.App
	http     *http.Server
	listener net.Listener
	ready    atomic.Bool
	stopBg   context.CancelFunc
	bgDone   chan struct{}
	served   chan error
	scheme   string
	reg      *prometheus.Registry
}

// Start brings the platform up and returns once it serves.
func Start(ctx context.Context, cfg Config) (_ *Platform, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if cfg.DB == "" {
		cfg.DB = filepath.Join(cfg.DataDir, "iotos.db")
	}
	tlsConf, err := loadTLS(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, err
	}
	p := &Platform{cfg: cfg, log: cfg.Logger, scheme: "http", reg: newRegistry()}
	if tlsConf != nil {
		p.scheme = "https"
	}
	defer func() {
		if err != nil {
			p.close()
		}
	}()

	if p.store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}
	// Keys are checked against the store, which is open from here on, so
	// NATS never accepts a connection it cannot check.
	p.bus, err = bus.NewServer(bus.ServerOptions{
		Listen:       cfg.NATS,
		TLS:          tlsConf,
		Logger:       cfg.Logger.With("component", "bus"),
		Authenticate: p.checkGatewayKey,
	})
	if err != nil {
		return nil, fmt.Errorf("start NATS: %w", err)
	}
	if p.link, err = p.bus.PlatformLink(); err != nil {
		return nil, fmt.Errorf("platform bus link: %w", err)
	}
	a, err := app.New(app.Options{
		Store:      app.InstrumentStore(p.store, p.reg),
		Link:       p.link,
		Disconnect: p.bus.DisconnectGateway,
		Online:     p.bus.GatewayConnected,
		Logger:     cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	p.app = a
	p.registerMetrics()
	if err := p.ensureAdmin(ctx); err != nil {
		return nil, err
	}
	if err := p.link.Serve(a); err != nil {
		return nil, fmt.Errorf("serve bus: %w", err)
	}
	if err := p.serveHTTP(tlsConf); err != nil {
		return nil, err
	}
	p.startBackground()
	p.ready.Store(true)
	db := cfg.DB
	if postgres.IsURL(db) {
		db = postgres.Redact(db) // the URL may carry a password
	}
	p.log.Info("platform ready", "http", p.URL(), "nats", cfg.NATS, "db", db)
	return p, nil
}

// openStore opens SQLite (the default) or, for a postgres:// URL, the
// PostgreSQL store that several replicas share. A URL that is malformed or
// does not lead to a usable database is an ArgError naming --db; the
// password never appears in messages.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	if postgres.IsURL(cfg.DB) {
		s, err := postgres.Open(ctx, cfg.DB, postgres.Options{Logger: cfg.Logger})
		if err != nil {
			if codes.Of(err) == codes.ArgError {
				return nil, codes.New(codes.ArgError, "--db: %s", codes.From(err).Msg)
			}
			return nil, fmt.Errorf("open store: %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, cfg.DB, sqlite.Options{Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.DB, err)
	}
	return s, nil
}

func (p *Platform) ensureAdmin(ctx context.Context) error {
	created, password, err := p.app.EnsureAdmin(ctx, p.cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("admin user: %w", err)
	}
	switch {
	case created && p.cfg.AdminPassword == "":
		fmt.Fprintf(p.cfg.Out, "created user admin with password %s (shown once; change it in the console)\n", password)
	case !created && p.cfg.AdminPassword != "":
		p.log.Info("admin user exists; --admin-password applies only on first start and is ignored")
	}
	return nil
}

func (p *Platform) serveHTTP(tlsConf *tls.Config) error {
	reg := p.reg
	handler := api.New(p.app, api.Options{
		Logger:   p.log.With("component", "api"),
		Ready:    p.ready.Load,
		Metrics:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Registry: reg,
		Console:  console(),
	})
	ln, err := net.Listen("tcp", p.cfg.HTTP)
	if err != nil {
		return fmt.Errorf("listen %s: %w", p.cfg.HTTP, err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	p.listener = ln
	p.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(p.log.Handler(), slog.LevelDebug),
	}
	p.served = make(chan error, 1)
	go func() { p.served <- p.http.Serve(ln) }()
	return nil
}

// URL is the base URL of the API and console.
func (p *Platform) URL() string {
	return p.scheme + "://" + p.listener.Addr().String()
}

// App is the platform's use cases (the demo seeds through it).
func (p *Platform) App() *app.App { return p.app }

// Bus is the embedded router.
func (p *Platform) Bus() *bus.Server { return p.bus }

// Served reports a failure of the HTTP server after start.
func (p *Platform) Served() <-chan error { return p.served }

// Shutdown stops the platform gracefully: readiness goes 503 first, then the
// HTTP server drains, the bus closes and the store is closed last.
func (p *Platform) Shutdown(ctx context.Context) error {
	p.ready.Store(false)
	if p.cfg.ReadyDrain > 0 {
		select {
		case <-time.After(p.cfg.ReadyDrain):
		case <-ctx.Done():
		}
	}
	var errs []error
	if p.http != nil {
		if err := p.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http: %w", err))
		}
	}
	errs = append(errs, p.close())
	return errors.Join(errs...)
}

func (p *Platform) close() error {
	var errs []error
	if p.stopBg != nil {
		p.stopBg()
		<-p.bgDone
	}
	if p.link != nil {
		errs = append(errs, p.link.Close())
	}
	if p.app != nil {
		errs = append(errs, p.app.Close())
	}
	if p.bus != nil {
		p.bus.Shutdown()
	}
	if p.store != nil {
		errs = append(errs, p.store.Close())
	}
	return errors.Join(errs...)
}

// checkGatewayKey authenticates an engine's NATS login.
func (p *Platform) checkGatewayKey(gw, key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hash, err := p.store.GatewayKeyHash(ctx, gw)
	if err != nil {
		if codes.Of(err) == codes.IONodeNotExist {
			return codes.New(codes.AccountNotRegister, "gateway key rejected")
		}
		return err
	}
	return auth.CheckGatewayKey(hash, key)
}

func loadTLS(cert, key string) (*tls.Config, error) {
	if cert == "" && key == "" {
		return nil, nil
	}
	if cert == "" || key == "" {
		return nil, codes.New(codes.ArgError, "--tls-cert and --tls-key go together")
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, codes.New(codes.FileNotExist, "TLS certificate: %v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}
