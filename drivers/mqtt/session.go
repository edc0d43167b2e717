package mqtt

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// session is one MQTT client connection, either protocol version. Once
// connect has succeeded the session keeps itself connected: it reconnects
// with backoff after a loss and subscribes again every time, because each
// connection starts a clean session on the broker.
type session interface {
	// connect makes the first connection and subscription. It returns when
	// both succeeded, or with an error (and nothing left running).
	connect(ctx context.Context) error
	// publish sends one message and waits for the broker's acknowledgement
	// at QoS 1 and 2 (for the message being written to the socket at QoS 0).
	publish(ctx context.Context, topic string, payload []byte) error
	// close disconnects and waits for every goroutine of the session.
	close()
}

// sessionConfig is what both session implementations are built from.
type sessionConfig struct {
	settings
	tls     *tls.Config // nil for mqtt://
	filters []string    // topic filters to subscribe to, deduplicated
	events  events
}

// events are the driver's callbacks. They are called from the client
// library's goroutines, never concurrently with close returning.
type events struct {
	message func(topic string, payload []byte, arrived time.Time)
	up      func()          // connected and subscribed
	down    func(err error) // connection lost; the session reconnects itself
	log     *slog.Logger
}

// newSession picks the client library by protocol version.
func newSession(cfg sessionConfig) session {
	if cfg.version == 5 {
		return &session5{cfg: cfg}
	}
	return &session3{cfg: cfg}
}

// closeTimeout bounds the polite DISCONNECT on close; the socket is closed
// regardless afterwards.
const closeTimeout = 2 * time.Second

// subscribeTimeout bounds the wait for a SUBACK.
const subscribeTimeout = 30 * time.Second

// linkError turns a connection or publish failure into a 504, or a 519 when
// the caller's deadline ended it.
func linkError(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return driver.Errorf(driver.CodeTimeout, "%s: %v", what, ctx.Err())
	}
	return driver.Errorf(driver.CodeNetError, "%s: %v", what, err)
}

// refusedFilters lists the filters whose SUBACK reason code is a failure
// (0x80 and above in both protocol versions).
func refusedFilters(filters []string, reasons []byte) error {
	if len(reasons) != len(filters) {
		return fmt.Errorf("%w: %d reason codes for %d filters", errSubscribeRefused, len(reasons), len(filters))
	}
	var bad []string
	for i, r := range reasons {
		if r >= 0x80 {
			bad = append(bad, fmt.Sprintf("%s (reason 0x%02x)", filters[i], r))
		}
	}
	if bad != nil {
		return fmt.Errorf("%w: %v", errSubscribeRefused, bad)
	}
	return nil
}
