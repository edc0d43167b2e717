package bus

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// platformLink is the platform's in-process connection, logged in with the
// server's start-time secret and therefore unrestricted.
type platformLink struct {
	nc     *nats.Conn
	done   chan struct{} // closed when nc is closed
	logger *slog.Logger
	ctx    context.Context // canceled by Close; parents handler contexts
	cancel context.CancelFunc

	mu    sync.Mutex
	subs  []*nats.Subscription
	pools []*workerPool
}

var _ PlatformLink = (*platformLink)(nil)

// PlatformLink connects the platform to its embedded router with full rights.
func (s *Server) PlatformLink() (PlatformLink, error) {
	done := make(chan struct{})
	nc, err := nats.Connect(nats.DefaultURL,
		nats.InProcessServer(s.ns),
		nats.UserInfo(platformUser, s.auth.secret),
		nats.Name(platformUser),
		nats.MaxReconnects(-1),
		nats.CustomReconnectDelay(reconnectDelay),
		nats.DrainTimeout(drainTimeout),
		nats.ClosedHandler(func(*nats.Conn) { close(done) }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			s.logger.Warn("bus: platform asynchronous error", "err", err)
		}),
	)
	if err != nil {
		return nil, codes.New(codes.NoWebSer, "platform bus connection: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &platformLink{nc: nc, done: done, logger: s.logger, ctx: ctx, cancel: cancel}, nil
}

// Command sends a cmd.* request to a gateway's engine and returns its reply
// as sent.
func (p *platformLink) Command(ctx context.Context, gw, kind string, cmd any) (Reply, error) {
	if !model.IsHexID(gw, model.GatewayIDLen) {
		return Reply{}, codes.New(codes.ArgError, "command to %q: not a gateway ID", gw)
	}
	switch kind {
	case KindWrite, KindRead, KindBroadcast, KindCollect, KindBrowse:
	default:
		return Reply{}, codes.New(codes.ArgError, "gateway %s: %q is not a command", gw, kind)
	}
	what := "gateway " + gw + " " + kind
	data, err := json.Marshal(cmd)
	if err != nil {
		return Reply{}, codes.New(codes.ArgError, "%s: command does not encode: %v", what, err)
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	msg, err := p.nc.RequestWithContext(ctx, Subject(gw, kind), data)
	if err != nil {
		return Reply{}, requestError(what, err, codes.ObjectOffline)
	}
	var r Reply
	if err := json.Unmarshal(msg.Data, &r); err != nil {
		return Reply{}, codes.New(codes.Unknown, "%s: engine reply does not decode: %v", what, err)
	}
	return r, nil
}

// NotifyReload tells a gateway's engine that device tables changed.
func (p *platformLink) NotifyReload(gw string, cmd ReloadCmd) error {
	if !model.IsHexID(gw, model.GatewayIDLen) {
		return codes.New(codes.ArgError, "reload notice to %q: not a gateway ID", gw)
	}
	data, err := json.Marshal(cmd)
	if err != nil {
		return codes.New(codes.ArgError, "gateway %s: reload notice does not encode: %v", gw, err)
	}
	if err := p.nc.Publish(Subject(gw, KindReload), data); err != nil {
		return requestError("gateway "+gw+" "+KindReload, err, codes.NoWebSer)
	}
	return nil
}

// Close stops taking messages, lets the workers finish the ones they have
// (answering them), then drains and closes the connection.
func (p *platformLink) Close() error {
	p.mu.Lock()
	subs, pools := p.subs, p.pools
	p.subs, p.pools = nil, nil
	p.mu.Unlock()
	for _, sub := range subs {
		_ = sub.Unsubscribe()
	}
	for _, pool := range pools {
		pool.close()
	}
	p.cancel()
	if !p.nc.IsClosed() {
		closeConn(p.nc, p.done)
	}
	return nil
}
