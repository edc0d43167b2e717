package bus

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
)

// checkedPipe hands an in-process engine its connections, checking the key
// first. Over the in-process pipe a login the server refuses is not seen by
// the client as a refusal: both ends block writing until the server's write
// deadline passes, then the client sees a closed pipe. Checking before
// dialing gives the same answer at once, as an authorization error.
type checkedPipe struct {
	s       *Server
	gw, key string
}

func (p checkedPipe) InProcessConn() (net.Conn, error) {
	if err := p.s.auth.check(p.gw, p.key); err != nil {
		return nil, fmt.Errorf("gateway %s: %w", p.gw, nats.ErrAuthorization)
	}
	return p.s.ns.InProcessConn()
}

// EngineLinkInProcess connects an engine running inside this process (the
// demo) as gateway gw; it authenticates like any remote engine, and a
// refused key is code 107.
func (s *Server) EngineLinkInProcess(gw, key string, logger *slog.Logger) (EngineLink, error) {
	pipe := checkedPipe{s: s, gw: gw, key: key}
	e, err := newEngineConn(nats.DefaultURL, gw, key, logger, []nats.Option{nats.InProcessServer(pipe)})
	if err != nil {
		return nil, err
	}
	if err := e.start(false); err != nil {
		if codes.Of(err) == codes.AccountNotRegister {
			return nil, err
		}
		return nil, fmt.Errorf("in-process engine link: %w", err)
	}
	return e, nil
}
