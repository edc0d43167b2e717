package bus

import (
	"crypto/subtle"
	"log/slog"
	"sync"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/iotos/iotos/internal/model"
)

// platformUser is the user name of the platform's own in-process
// connection. It is not 32 hex, so no gateway can ever claim it.
const platformUser = "iotos-platform"

// authenticator is the router's CustomClientAuthentication: gateways log in
// with their ID and key and get their own subjects only; the platform logs
// in with a secret made at start and gets everything.
//
// It also remembers which connections belong to which gateway, so a key
// rotation can drop them. A per-gateway generation closes the race between
// a check that passed with the old key and the rotation: a check whose
// generation changed while the key was being verified is refused.
type authenticator struct {
	check  func(gw, key string) error
	secret string
	logger *slog.Logger
	server *server.Server // set before Start, read only afterwards

	mu    sync.Mutex
	gens  map[string]uint64
	conns map[string]map[uint64]struct{} // gateway → client IDs
}

var _ server.Authentication = (*authenticator)(nil)

func newAuthenticator(check func(gw, key string) error, logger *slog.Logger) *authenticator {
	return &authenticator{
		check:  check,
		secret: randomSecret(),
		logger: logger,
		gens:   make(map[string]uint64),
		conns:  make(map[string]map[uint64]struct{}),
	}
}

// Check decides whether a client may connect and registers its permissions.
func (a *authenticator) Check(c server.ClientAuthentication) bool {
	if c.Kind() != server.CLIENT {
		return false
	}
	opts := c.GetOpts()
	if opts.Username == platformUser {
		if subtle.ConstantTimeCompare([]byte(opts.Password), []byte(a.secret)) != 1 {
			return false
		}
		c.RegisterUser(&server.User{Username: platformUser})
		return true
	}
	gw := opts.Username
	if !model.IsHexID(gw, model.GatewayIDLen) {
		a.logger.Warn("bus: login refused: user is not a gateway ID", "remote", remote(c))
		return false
	}
	gen := a.generation(gw)
	if err := a.check(gw, opts.Password); err != nil {
		a.logger.Warn("bus: gateway login refused", "gateway", gw, "remote", remote(c), "err", err)
		return false
	}
	if !a.track(gw, gen, c.GetID()) {
		a.logger.Info("bus: gateway login raced a key change; refused", "gateway", gw)
		return false
	}
	c.RegisterUser(&server.User{Username: gw, Permissions: gatewayPermissions(gw)})
	return true
}

func remote(c server.ClientAuthentication) string {
	if addr := c.RemoteAddress(); addr != nil {
		return addr.String()
	}
	return "in-process"
}

func (a *authenticator) generation(gw string) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gens[gw]
}

// track records a gateway's connection unless the gateway was revoked since
// gen was read; it also forgets connections that have closed.
func (a *authenticator) track(gw string, gen uint64, cid uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gens[gw] != gen {
		return false
	}
	a.pruneLocked(gw)
	set := a.conns[gw]
	if set == nil {
		set = make(map[uint64]struct{})
		a.conns[gw] = set
	}
	set[cid] = struct{}{}
	return true
}

// revoke bumps the gateway's generation and hands back its connections,
// which the caller closes.
func (a *authenticator) revoke(gw string) []uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.gens[gw]++
	var cids []uint64
	for cid := range a.conns[gw] {
		cids = append(cids, cid)
	}
	delete(a.conns, gw)
	return cids
}

// connected reports whether any tracked connection of gw is still open.
func (a *authenticator) connected(gw string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pruneLocked(gw)
	return len(a.conns[gw]) > 0
}

// pruneLocked drops client IDs the server no longer knows.
func (a *authenticator) pruneLocked(gw string) {
	set := a.conns[gw]
	for cid := range set {
		if a.server.GetClient(cid) == nil {
			delete(set, cid)
		}
	}
	if len(set) == 0 {
		delete(a.conns, gw)
	}
}
