package bus

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/iotos/iotos/internal/codes"
)

// readyTimeout bounds how long NewServer waits for the embedded server to
// accept connections; a listener that cannot bind fails well before it.
const readyTimeout = 10 * time.Second

// ServerOptions configure the embedded router.
type ServerOptions struct {
	// Listen is the TCP address engines connect to, "127.0.0.1:4222";
	// port 0 or -1 picks a free port. Empty means in-process connections only.
	Listen string
	// TLS, when set, makes the listener require TLS.
	TLS *tls.Config
	// Authenticate checks a gateway's key (the platform compares it with
	// the hash in its store). It is required: the server is created only
	// once keys can be checked, so no connection is ever let in unchecked.
	Authenticate func(gw, key string) error
	Logger       *slog.Logger
}

// Server is the embedded NATS router with gateway authentication and
// per-gateway permissions.
type Server struct {
	ns     *server.Server
	auth   *authenticator
	tls    bool
	listen bool
	logger *slog.Logger
}

// NewServer starts the embedded router and returns once it accepts
// connections.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.Authenticate == nil {
		return nil, codes.New(codes.ArgError, "bus server: no Authenticate function")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	nopts, err := natsOptions(opts)
	if err != nil {
		return nil, err
	}
	auth := newAuthenticator(opts.Authenticate, logger)
	nopts.CustomClientAuthentication = auth
	ns, err := server.NewServer(nopts)
	if err != nil {
		return nil, fmt.Errorf("bus server: %w", err)
	}
	auth.server = ns
	sl := newServerLogger(logger)
	ns.SetLoggerV2(sl, sl.debugEnabled(), false, false)
	ns.Start()
	if err := waitReady(ns, sl); err != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("bus server on %q: %w", opts.Listen, err)
	}
	return &Server{ns: ns, auth: auth, tls: opts.TLS != nil, listen: opts.Listen != "", logger: logger}, nil
}

// waitReady waits until the server accepts connections, giving up early
// when it reported a fatal start error (its port taken).
func waitReady(ns *server.Server, sl *serverLogger) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if ns.ReadyForConnections(100 * time.Millisecond) {
			return nil
		}
		if msg := sl.lastFatal(); msg != "" {
			return errors.New(msg)
		}
	}
	return fmt.Errorf("not ready after %s", readyTimeout)
}

// natsOptions translates ServerOptions into the embedded server's options:
// no JetStream (the engine's outbox is the record of truth), no signal
// handlers (the binary owns signals).
func natsOptions(opts ServerOptions) (*server.Options, error) {
	nopts := &server.Options{
		ServerName: "iotos",
		NoSigs:     true,
		JetStream:  false,
		MaxPayload: server.MAX_PAYLOAD_SIZE,
	}
	if opts.Listen == "" {
		nopts.DontListen = true
		return nopts, nil
	}
	host, port, err := splitListen(opts.Listen)
	if err != nil {
		return nil, err
	}
	nopts.Host, nopts.Port = host, port
	if opts.TLS != nil {
		nopts.TLSConfig = opts.TLS
		nopts.TLS = true
		nopts.TLSTimeout = 5
	}
	return nopts, nil
}

// splitListen parses "host:port"; port 0 or -1 asks for a free port (the
// embedded server reads 0 as its default 4222, so 0 becomes -1).
func splitListen(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, codes.New(codes.ArgError, "bus listen address %q: %v", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, codes.New(codes.ArgError, "bus listen address %q: bad port", listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// ClientURL is the URL engines dial: tls:// when the listener requires TLS,
// nats:// otherwise, "" for an in-process-only server.
func (s *Server) ClientURL() string {
	if !s.listen {
		return ""
	}
	addr := s.ns.Addr()
	if addr == nil {
		return ""
	}
	scheme := "nats://"
	if s.tls {
		scheme = "tls://"
	}
	return scheme + addr.String()
}

// DisconnectGateway drops every live connection of gw. Used after its key
// changed or it was deleted: the engine's reconnect then has to pass the
// new check.
func (s *Server) DisconnectGateway(gw string) {
	for _, cid := range s.auth.revoke(gw) {
		if err := s.ns.DisconnectClientByID(cid); err == nil {
			s.logger.Info("bus: gateway connection dropped", "gateway", gw, "cid", cid)
		}
	}
}

// GatewayConnected reports whether gw has at least one live connection.
func (s *Server) GatewayConnected(gw string) bool {
	return s.auth.connected(gw)
}

// Shutdown closes every connection and stops the router.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// randomSecret makes the platform's in-process password: made at start,
// never written anywhere.
func randomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}
