// Package api is the REST API v1: thin handlers that decode a request, call
// one use case of internal/app and write the {code,msg,data} envelope.
package api

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/iotos/iotos/internal/app"
)

// Options configure the HTTP handler.
type Options struct {
	Logger *slog.Logger
	// Ready reports readiness for /readyz; nil means always ready.
	Ready func() bool
	// Metrics is mounted at /metrics when set.
	Metrics http.Handler
	// Registry receives the API's request metrics; nil registers nothing.
	Registry prometheus.Registerer
	// Console is mounted at / when set.
	Console http.Handler
	// StreamQueueLimit bounds each live-stream client's queue of pending
	// samples (default 20,000); on overflow the client is told how many
	// were dropped and gets a fresh snapshot.
	StreamQueueLimit int
}

// Body size limits: tables can be large, everything else is small. A .tb
// of one gateway's million points is about 120 MiB.
const (
	maxTableBody = 256 << 20
	maxBody      = 1 << 20
)

type server struct {
	app     *app.App
	log     *slog.Logger
	ready   func() bool
	csrf    *http.CrossOriginProtection
	metrics *metrics
	streams *streams
	mux     *http.ServeMux
}

// New returns the platform's HTTP handler.
func New(a *app.App, opts Options) http.Handler {
	s := &server{
		app:     a,
		log:     opts.Logger,
		ready:   opts.Ready,
		csrf:    http.NewCrossOriginProtection(),
		metrics: newMetrics(opts.Registry),
		streams: newStreams(a, opts.Registry, opts.StreamQueueLimit),
		mux:     http.NewServeMux(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.ready == nil {
		s.ready = func() bool { return true }
	}
	s.routes()
	if opts.Metrics != nil {
		s.mux.Handle("GET /metrics", opts.Metrics)
	}
	if opts.Console != nil {
		s.mux.Handle("/", opts.Console)
	}
	return s.observe(s.mux)
}
