package bus

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
)

// defaultRequestTimeout applies when a caller's context has no deadline:
// a request over the bus must never wait forever.
const defaultRequestTimeout = 5 * time.Second

// isAuthError reports whether a connect error is the server refusing the
// credentials (as opposed to the server being unreachable).
func isAuthError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) ||
		errors.Is(err, nats.ErrAuthRevoked) {
		return true
	}
	return strings.Contains(strings.ToLower(err.Error()), "authorization violation")
}

// requestError maps a failed request to a canonical code. what names the
// request for the message ("gateway X cmd.write").
func requestError(what string, err error, offline codes.Code) error {
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return codes.New(offline, "%s: nobody is listening", what)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return codes.New(codes.Timeout, "%s: no reply before the deadline", what)
	case errors.Is(err, context.Canceled):
		return &codes.Error{Code: codes.Timeout, Msg: what + ": canceled", Data: err.Error()}
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrDisconnected),
		errors.Is(err, nats.ErrConnectionReconnecting), errors.Is(err, nats.ErrConnectionDraining):
		return codes.New(codes.NoWebSer, "%s: not connected to the bus", what)
	}
	return &codes.Error{Code: codes.NetError, Msg: what + ": bus failure", Data: err.Error()}
}
