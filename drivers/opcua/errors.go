package opcua

import (
	"context"
	"errors"

	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// Driver-specific reply codes (above 1000, passed through to the caller).
const (
	// CodeBadStatus is a Bad OPC UA status code without a closer canonical
	// code; the message names the status.
	CodeBadStatus = 1200
	// CodeNodeUnknown is returned for a node the server does not have
	// (BadNodeIdUnknown, BadNodeIdInvalid).
	CodeNodeUnknown = 1201
)

// codePropertyNotValid is the canonical code for a write to a read-only
// node or a read of a write-only one (DESIGN.md §4, 515).
const codePropertyNotValid = 515

// statusCodes maps the OPC UA statuses that have a canonical code.
var statusCodes = map[ua.StatusCode]int{
	ua.StatusBadNodeIDUnknown:      CodeNodeUnknown,
	ua.StatusBadNodeIDInvalid:      CodeNodeUnknown,
	ua.StatusBadNotReadable:        codePropertyNotValid,
	ua.StatusBadNotWritable:        codePropertyNotValid,
	ua.StatusBadUserAccessDenied:   codePropertyNotValid,
	ua.StatusBadWriteNotSupported:  codePropertyNotValid,
	ua.StatusBadTypeMismatch:       driver.CodeTypeNotValid,
	ua.StatusBadOutOfRange:         driver.CodeArgError,
	ua.StatusBadTimeout:            driver.CodeTimeout,
	ua.StatusBadAttributeIDInvalid: CodeNodeUnknown,
}

// statusCode is the IOTOS code a Bad status is reported with.
func statusCode(s ua.StatusCode) int {
	if c, ok := statusCodes[s]; ok {
		return c
	}
	return CodeBadStatus
}

// isBad reports whether the status's severity is Bad.
func isBad(s ua.StatusCode) bool { return uint32(s)&0xC0000000 == 0x80000000 }

// isUncertain reports whether the status's severity is Uncertain.
func isUncertain(s ua.StatusCode) bool { return uint32(s)&0xC0000000 == 0x40000000 }

// statusError is a Bad status as an error with identity.
func statusError(what string, s ua.StatusCode) error {
	return driver.Errorf(statusCode(s), "%s: %v", what, s)
}

// requestError classifies a failed request: the caller's deadline (519) or
// the link (504).
func requestError(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ua.StatusBadTimeout) {
		return driver.Errorf(driver.CodeTimeout, "%s: %v", what, err)
	}
	return driver.Errorf(driver.CodeNetError, "%s: %v", what, err)
}

// errNotConnected is returned while no session is up; the watchdog is
// rebuilding it.
var errNotConnected = errors.New("not connected (reconnecting)")

// errMsg is an error's message without the "code N:" prefix of a
// *driver.Error, for re-wrapping with more identity.
func errMsg(err error) string {
	var e *driver.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return err.Error()
}
