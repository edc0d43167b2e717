package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/engine"
	"github.com/iotos/iotos/internal/engine/extdriver"
	"github.com/iotos/iotos/internal/engine/outbox"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"

	_ "github.com/iotos/iotos/drivers/all" // compile the built-in drivers in
)

func runEngine(ctx context.Context, args []string) error {
	fs := newFlags("engine", "engine --server nats://host:port --gateway ID [flags]  (key in IOTOS_GATEWAY_KEY or --key-file)")
	server := fs.String("server", "nats://127.0.0.1:4222", "the platform's NATS address (nats:// or tls://)")
	gateway := fs.String("gateway", "", "gateway ID (32 hex)")
	keyFile := fs.String("key-file", "", "file holding the gateway key (or set IOTOS_GATEWAY_KEY)")
	dataDir := fs.String("data-dir", "./iotos-data", "data directory; the engine keeps its files in <data-dir>/engine/<gateway>/")
	driversDir := fs.String("drivers-dir", "", "external drivers directory (default <data-dir>/drivers)")
	tlsCA := fs.String("tls-ca", "", "CA certificate (PEM) to verify the platform's TLS certificate")
	outboxMax := fs.Int64("outbox-max-bytes", 256<<20, "cap on the outbox's disk use; the oldest batches are dropped past it")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	metricsAddr := fs.String("metrics", "", "serve /metrics and /readyz on this address (host:port); empty = off")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !model.IsHexID(*gateway, model.GatewayIDLen) {
		return usageError{fmt.Errorf("--gateway %q: want the gateway's 32-hex ID", *gateway)}
	}
	key, err := readSecret(os.Getenv("IOTOS_GATEWAY_KEY"), *keyFile)
	if err != nil {
		return usageError{fmt.Errorf("gateway key: %w", err)}
	}
	if key == "" {
		return usageError{errors.New("no gateway key: set IOTOS_GATEWAY_KEY or --key-file")}
	}
	log, err := newLogger(*logLevel)
	if err != nil {
		return usageError{err}
	}
	link, err := bus.DialEngine(ctx, bus.EngineOptions{
		URL: *server, Gateway: *gateway, Key: key, TLSCA: *tlsCA, Logger: log.With("component", "bus"),
	})
	if err != nil {
		return err
	}
	defer link.Close()
	setup := engineSetup{
		gateway: *gateway, dataDir: *dataDir, driversDir: *driversDir,
		outboxMax: *outboxMax, link: link, log: log,
	}
	if *metricsAddr != "" {
		srv, err := serveEngineMetrics(ctx, *metricsAddr, log)
		if err != nil {
			return err
		}
		defer srv.close()
		setup.metrics = srv.reg
	}
	fmt.Printf("IOTOS engine for gateway %s, platform %s\n", *gateway, *server)
	return runEngineOn(ctx, setup)
}

// engineSetup is what both `iotos engine` and the engine inside `iotos demo` run.
type engineSetup struct {
	gateway, dataDir, driversDir string
	outboxMax                    int64
	link                         bus.EngineLink
	log                          *slog.Logger
	// metrics receives the engine's, outbox's and link's collectors while
	// they run; nil registers nothing.
	metrics prometheus.Registerer
}

// runEngineOn runs the outbox and the engine until ctx ends. The engine
// stops first so its last samples still reach the outbox, which then makes
// them durable before it closes.
func runEngineOn(ctx context.Context, s engineSetup) error {
	dir := filepath.Join(s.dataDir, "engine", s.gateway)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	// The engine takes the directory's lock first, so two engines never
	// open one outbox.
	sink := &lateSink{}
	teeCtx, stopTee := context.WithCancel(context.Background())
	defer stopTee()
	links := teeLink(teeCtx, s.link, 3)
	registry, err := driverRegistry(s, dir)
	if err != nil {
		return err
	}
	eng, err := engine.New(engine.Options{
		Gateway: s.gateway, Dir: dir, Link: links[0], Sink: sink, Registry: registry,
		Logger: s.log.With("component", "engine"),
	})
	if err != nil {
		return err
	}
	ob, err := outbox.Open(dir, outbox.Options{MaxBytes: s.outboxMax, Logger: s.log.With("component", "outbox")})
	if err != nil {
		eng.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	defer ob.Close()
	sink.set(ob)
	unregister, err := registerEngineMetrics(teeCtx, s.metrics, eng, ob, links[2])
	if err != nil {
		eng.Close()
		return err
	}
	defer unregister()
	ctx, fatal := stopOnFatal(ctx, s.link)
	obCtx, stopOutbox := context.WithCancel(context.Background())
	obDone := make(chan error, 1)
	go func() { obDone <- ob.Run(obCtx, links[1]) }()
	engErr := eng.Run(ctx)
	stopOutbox()
	obErr := <-obDone
	if errors.Is(obErr, context.Canceled) {
		obErr = nil
	}
	if errors.Is(engErr, context.Canceled) {
		engErr = nil
	}
	if err := fatal(); err != nil {
		return err
	}
	return errors.Join(engErr, obErr)
}

// driverRegistry resolves built-in driver names and, for external references
// (python/…, exec/…), programs installed in the drivers dir. The Python SDK
// embedded in the binary is unpacked into the engine's dir, so a binary-only
// install runs Python drivers.
func driverRegistry(s engineSetup, dir string) (func(string) (driver.Factory, bool), error) {
	driversDir := s.driversDir
	if driversDir == "" {
		driversDir = filepath.Join(s.dataDir, "drivers")
	}
	sdkDir, err := extdriver.UnpackSDK(filepath.Join(dir, "python-sdk"))
	if err != nil {
		return nil, err
	}
	builtin := func(name string) (driver.Factory, bool) {
		r, ok := driver.Lookup(name)
		return r.Factory, ok
	}
	return extdriver.Registry(extdriver.Options{
		DriversDir: driversDir, SDKDir: sdkDir, Logger: s.log.With("component", "extdriver"),
	}, builtin), nil
}

// stopOnFatal ends ctx when the link reports a fatal error (its key rejected
// before the first successful connection) and returns that error.
func stopOnFatal(parent context.Context, link bus.EngineLink) (context.Context, func() error) {
	f, ok := link.(interface{ Fatal() <-chan error })
	if !ok {
		return parent, func() error { return nil }
	}
	ctx, cancel := context.WithCancelCause(parent)
	go func() {
		select {
		case err := <-f.Fatal():
			cancel(codes.From(err))
		case <-ctx.Done():
		}
	}()
	return ctx, func() error {
		defer cancel(nil)
		if cause := context.Cause(ctx); cause != nil && parent.Err() == nil {
			return cause
		}
		return nil
	}
}

// registerEngineMetrics registers the engine's device states, the outbox's
// backlog and counters and the link's reconnect count with reg, and returns
// the function that takes them off again (so a registry outlives one run).
func registerEngineMetrics(ctx context.Context, reg prometheus.Registerer, eng *engine.Engine, ob *outbox.Outbox, link bus.EngineLink) (func(), error) {
	if reg == nil {
		return func() {}, nil
	}
	reconnects := bus.NewReconnectsCounter()
	cs := []prometheus.Collector{engine.Collector(eng), outbox.Collector(ob), reconnects}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return nil, fmt.Errorf("engine metrics: %w", err)
		}
	}
	go bus.CountReconnects(ctx, link, reconnects)
	return func() {
		for _, c := range cs {
			reg.Unregister(c)
		}
	}, nil
}

// metricsServer is the engine's HTTP endpoint for Prometheus and for
// supervisors: /readyz answers 200 while the engine runs and 503 from the
// moment it is asked to stop, so nothing routes work to a stopping engine.
type metricsServer struct {
	reg   *prometheus.Registry
	http  *http.Server
	ready atomic.Bool
	done  chan struct{}
}

func serveEngineMetrics(ctx context.Context, addr string, log *slog.Logger) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageError{fmt.Errorf("--metrics %s: %w", addr, err)}
	}
	m := &metricsServer{reg: prometheus.NewRegistry(), done: make(chan struct{})}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /readyz", m.readyz)
	m.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	m.ready.Store(true)
	go func() {
		<-ctx.Done()
		m.ready.Store(false)
	}()
	go func() {
		defer close(m.done)
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	log.Info("engine metrics", "addr", ln.Addr().String())
	return m, nil
}

func (m *metricsServer) readyz(w http.ResponseWriter, _ *http.Request) {
	if !m.ready.Load() {
		http.Error(w, "stopping", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

// close ends the server after the engine has stopped, so /readyz answers
// 503 for the whole of the engine's shutdown.
func (m *metricsServer) close() {
	m.ready.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = m.http.Shutdown(ctx)
	<-m.done
}
