package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/iotos/iotos/internal/platform"
)

// platformFlags are the flags `serve` and `demo` share.
type platformFlags struct {
	dataDir, http, nats          string
	adminPassword, adminPassFile string
	tlsCert, tlsKey              string
	retention                    string
	logLevel                     string
}

func (f *platformFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", "./iotos-data", "data directory")
	fs.StringVar(&f.http, "http", "127.0.0.1:8080", "HTTP listen address (API and console)")
	fs.StringVar(&f.nats, "nats", "127.0.0.1:4222", "embedded NATS listen address for engines")
	fs.StringVar(&f.adminPassword, "admin-password", "", "admin password, applied when the admin user is created (first start)")
	fs.StringVar(&f.adminPassFile, "admin-password-file", "", "file holding the admin password")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM) for HTTPS and NATS")
	fs.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&f.retention, "retention", "", "keep history this long, e.g. 30d or 720h (default: forever)")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
}

func (f *platformFlags) config() (platform.Config, error) {
	pw, err := readSecret(f.adminPassword, f.adminPassFile)
	if err != nil {
		return platform.Config{}, usageError{fmt.Errorf("admin password: %w", err)}
	}
	retention, err := parseRetention(f.retention)
	if err != nil {
		return platform.Config{}, usageError{err}
	}
	logger, err := newLogger(f.logLevel)
	if err != nil {
		return platform.Config{}, usageError{err}
	}
	return platform.Config{
		DataDir: f.dataDir, HTTP: f.http, NATS: f.nats, AdminPassword: pw,
		TLSCert: f.tlsCert, TLSKey: f.tlsKey, Retention: retention, Logger: logger,
		ReadyDrain: time.Second,
	}, nil
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve", "serve [flags]")
	var pf platformFlags
	pf.register(fs)
	db := fs.String("db", "", "storage: a SQLite file path (default <data-dir>/iotos.db) or a postgres://user:pass@host:5432/db URL")
	natsURL := fs.String("nats-url", "", "use an external NATS cluster instead of embedding one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := pf.config()
	if err != nil {
		return err
	}
	if *natsURL != "" {
		return usageError{fmt.Errorf("--nats-url: external NATS clusters are not supported by this build yet")}
	}
	cfg.DB = *db
	p, err := platform.Start(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Printf("IOTOS platform serving at %s (NATS for engines at nats://%s)\n", p.URL(), cfg.NATS)
	return waitAndStop(ctx, p, cfg.Logger)
}

// waitAndStop blocks until the context ends (SIGINT/SIGTERM) or the HTTP
// server fails, then shuts the platform down within 10 s.
func waitAndStop(ctx context.Context, p *platform.Platform, log *slog.Logger) error {
	var served error
	select {
	case <-ctx.Done():
	case served = <-p.Served():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(sctx); err != nil {
		return err
	}
	return served
}

func newLogger(level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}
