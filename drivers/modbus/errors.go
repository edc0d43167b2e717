package modbus

import (
	"errors"
	"fmt"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// Driver-specific reply codes (above 1000, passed through to the caller).
// A Modbus exception response is reported as 1000 + its exception code, so
// 1002 is "illegal data address" and 1006 "server device busy".
const (
	codeExceptionBase = 1000
	// CodeVerifyMismatch is returned when a write's read-back differs.
	CodeVerifyMismatch = 1100
)

// exceptionCodes maps the library's exception errors to their Modbus codes.
var exceptionCodes = map[mb.Error]int{
	mb.ErrIllegalFunction:         1,
	mb.ErrIllegalDataAddress:      2,
	mb.ErrIllegalDataValue:        3,
	mb.ErrServerDeviceFailure:     4,
	mb.ErrAcknowledge:             5,
	mb.ErrServerDeviceBusy:        6,
	mb.ErrMemoryParityError:       8,
	mb.ErrGWPathUnavailable:       10,
	mb.ErrGWTargetFailedToRespond: 11,
}

// failure classifies an error from the library.
type failure uint8

const (
	failException failure = iota // the device answered with an exception: the link is fine
	failTimeout                  // no answer in time
	failLink                     // the connection or the framing is broken: reconnect
)

func classify(err error) failure {
	var me mb.Error
	if errors.As(err, &me) {
		if _, ok := exceptionCodes[me]; ok {
			return failException
		}
		if me == mb.ErrRequestTimedOut {
			return failTimeout
		}
	}
	return failLink
}

// exceptionCode is the reply code of an exception response.
func exceptionCode(err error) int {
	var me mb.Error
	errors.As(err, &me)
	return codeExceptionBase + exceptionCodes[me]
}

// splittable reports whether an exception may come from the request's size
// or from reading through unmapped addresses, so splitting it may succeed.
func splittable(err error) bool {
	return errors.Is(err, mb.ErrIllegalDataAddress) || errors.Is(err, mb.ErrIllegalDataValue)
}

// linkError is the error a read or write fails with when the link broke: it
// carries code 504 and asks the engine to reconnect.
type linkError struct {
	code  *driver.Error
	cause error
}

func (e *linkError) Error() string   { return e.code.Error() }
func (e *linkError) ErrorCode() int  { return e.code.Code }
func (e *linkError) Unwrap() []error { return []error{e.code, driver.ErrReconnect, e.cause} }

func newLinkError(what string, cause error) error {
	return &linkError{code: driver.Errorf(driver.CodeNetError, "%s: %v", what, cause), cause: cause}
}

// timeoutError is a 519 that asks for a reconnect when reconnect is set
// (after repeated timeouts the socket is presumed dead).
type timeoutError struct {
	code      *driver.Error
	reconnect bool
}

func (e *timeoutError) Error() string  { return e.code.Error() }
func (e *timeoutError) ErrorCode() int { return e.code.Code }
func (e *timeoutError) Unwrap() []error {
	if e.reconnect {
		return []error{e.code, driver.ErrReconnect}
	}
	return []error{e.code}
}

// wrapFailure turns a library error into the driver error for its class.
func wrapFailure(what string, err error, reconnectOnTimeout bool) error {
	var de *driver.Error
	if errors.As(err, &de) {
		return err // already a driver error: the context ended while pacing
	}
	switch classify(err) {
	case failTimeout:
		return &timeoutError{code: driver.Errorf(driver.CodeTimeout, "%s: %v", what, err), reconnect: reconnectOnTimeout}
	case failException:
		return driver.Errorf(exceptionCode(err), "%s: %v", what, err)
	}
	return newLinkError(what, err)
}

var errNotConnected = fmt.Errorf("not connected")
