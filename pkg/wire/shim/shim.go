// Package shim serves any driver.Driver over the wire protocol on stdio, so
// a driver written in Go can run as an external process (its own binary,
// its own release cycle) exactly as it runs in-process.
//
//	func main() {
//		if err := shim.Serve(context.Background(), "mydriver", &MyDriver{}); err != nil {
//			os.Exit(1)
//		}
//	}
package shim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

// Serve runs d over stdin/stdout until the host closes the pipe or sends
// close. Nothing else may write to stdout.
func Serve(ctx context.Context, name string, d driver.Driver) error {
	return ServeIO(ctx, name, d, os.Stdin, os.Stdout)
}

// ServeIO runs d over the given streams: it sends the hello line, then
// answers the host's calls until r ends (the host closes the pipe after its
// close call). Cancelling ctx cancels the calls in progress. Calls reach d
// one at a time, as in-process.
func ServeIO(ctx context.Context, name string, d driver.Driver, r io.Reader, w io.Writer) error {
	s := &server{drv: d, subs: make(chan wire.SubscribedParams, maxQueuedSubscribed)}
	s.peer = wire.NewPeer(r, w, s.handle)
	s.host = &host{peer: s.peer}
	if err := s.peer.SendHello(name); err != nil {
		return fmt.Errorf("shim %s: hello: %w", name, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, ok := d.(driver.Subscriber); ok {
		go s.deliverSubscribed(ctx)
	}
	err := s.peer.Run(ctx)
	cancel()
	s.closeDriver()
	if errors.Is(err, wire.ErrClosed) {
		return nil
	}
	return err
}

// maxQueuedSubscribed bounds the subscribed values waiting for the driver.
const maxQueuedSubscribed = 1024

// server adapts wire calls to the driver, one call at a time.
type server struct {
	drv  driver.Driver
	peer *wire.Peer
	host *host

	mu        sync.Mutex // the driver contract: no concurrent calls
	points    map[string]driver.Point
	closeOnce sync.Once
	closed    bool // guarded by mu: after Close no call reaches the driver
	subs      chan wire.SubscribedParams
}

func (s *server) handle(ctx context.Context, method string, params json.RawMessage) (any, error) {
	if method == wire.MethodSubscribed {
		return nil, s.subscribed(params)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, driver.Errorf(driver.CodeNetError, "driver closed")
	}
	switch method {
	case wire.MethodInit:
		return nil, s.init(params)
	case wire.MethodConnect:
		if c, ok := s.drv.(driver.Connector); ok {
			return nil, c.Connect(ctx)
		}
		return nil, nil
	case wire.MethodRead:
		return s.read(ctx, params)
	case wire.MethodWrite:
		return s.write(ctx, params)
	case wire.MethodReadNow:
		return s.readNow(ctx, params)
	case wire.MethodBroadcast:
		return s.broadcast(ctx, params)
	case wire.MethodClose:
		err := s.closeLocked()
		return nil, err
	}
	return nil, &wire.Error{Code: driver.CodeArgError, Msg: fmt.Sprintf("unknown method %q", method)}
}

func (s *server) closeDriver() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.closeLocked()
}

func (s *server) closeLocked() error {
	var err error
	s.closeOnce.Do(func() {
		s.closed = true
		err = s.drv.Close()
	})
	return err
}
