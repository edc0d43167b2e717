package bus

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
)

// start makes the first connection. With background set, an unreachable
// platform starts the dial loop instead of failing.
func (e *EngineConn) start(background bool) error {
	nc, done, err := e.connect()
	switch {
	case err == nil:
		e.adopt(nc, done)
		return nil
	case isAuthError(err):
		e.stop()
		return codes.New(codes.AccountNotRegister, "gateway key rejected: gateway %s", e.gw)
	case !background:
		e.stop()
		return fmt.Errorf("gateway %s: connect: %w", e.gw, err)
	}
	e.logger.Warn("bus: platform unreachable; retrying in the background", "url", e.url, "err", err)
	e.wg.Add(1)
	go e.dialLoop(true)
	return nil
}

// connect dials once; done is closed when the connection is closed for good.
func (e *EngineConn) connect() (*nats.Conn, chan struct{}, error) {
	done := make(chan struct{})
	opts := append(e.natsOpts[:len(e.natsOpts):len(e.natsOpts)], nats.ClosedHandler(func(nc *nats.Conn) {
		close(done)
		e.onClosed(nc)
	}))
	nc, err := nats.Connect(e.url, opts...)
	return nc, done, err
}

// dialLoop dials with backoff until it connects or the link is closed.
// fatalOnAuth is set while the link has never connected: a refused key
// then ends the loop and fires Fatal.
func (e *EngineConn) dialLoop(fatalOnAuth bool) {
	defer e.wg.Done()
	for attempt := 1; ; attempt++ {
		select {
		case <-e.ctx.Done():
			return
		case <-time.After(reconnectDelay(attempt)):
		}
		nc, done, err := e.connect()
		if err == nil {
			e.adopt(nc, done)
			e.logger.Info("bus: connected", "url", e.url)
			return
		}
		if fatalOnAuth && isAuthError(err) {
			e.logger.Error("bus: platform refused the gateway key")
			e.fatal <- codes.New(codes.AccountNotRegister, "gateway key rejected: gateway %s", e.gw)
			return
		}
		e.logger.Debug("bus: connect failed", "attempt", attempt, "err", err)
	}
}

// adopt makes nc the link's connection and subscribes the handler on it;
// the flush makes the subscription live before Reconnected fires.
func (e *EngineConn) adopt(nc *nats.Conn, done chan struct{}) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		nc.Close()
		return
	}
	e.nc, e.ncDone = nc, done
	subscribed := false
	if e.handler != nil {
		if err := e.subscribeLocked(); err != nil {
			e.logger.Error("bus: command subscription failed", "err", err)
		} else {
			subscribed = true
		}
	}
	e.mu.Unlock()
	if subscribed {
		_ = nc.FlushTimeout(defaultRequestTimeout)
	}
	e.signalReconnected()
}

// onClosed rebuilds a connection that closed while the link is open.
func (e *EngineConn) onClosed(nc *nats.Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.nc != nc {
		return
	}
	e.nc, e.ncDone = nil, nil
	e.logger.Warn("bus: connection closed; rebuilding it")
	e.wg.Add(1)
	go e.dialLoop(false)
}
