package mqtt

import "errors"

// Codes of this driver, passed through to callers unchanged.
const (
	// CodeNoMessage marks a point that has received no message since the
	// device connected, and has no default to report instead.
	CodeNoMessage = 1200
	// codePropertyNotValid is the canonical 515: a write to a point that
	// has no write_topic.
	codePropertyNotValid = 515
)

var (
	// errSubscribeRefused is wrapped when the broker refuses a subscription
	// (usually an ACL that denies the topic).
	errSubscribeRefused = errors.New("subscription refused by the broker")
	errNotConnected     = errors.New("not connected to the broker")
	// errConnectionLost stands in when the library reports a loss without
	// a cause.
	errConnectionLost = errors.New("connection to the broker lost")
	errClosed         = errors.New("session closed")
)
