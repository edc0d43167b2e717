package http

import (
	"context"
	"errors"
	"net"
	"net/url"

	"github.com/iotos/iotos/pkg/driver"
)

// Codes of this driver, passed through to callers unchanged.
const (
	// CodePathNotFound marks a point whose path selects nothing in the
	// response: a missing key, an index past the end, or a step into a
	// value of the wrong kind.
	CodePathNotFound = 1300
	// CodeResponseTooLarge marks a request whose response body exceeds
	// max_response_size.
	CodeResponseTooLarge = 1301
	// codePropertyNotValid is the canonical 515: a write to a point the
	// driver cannot write.
	codePropertyNotValid = 515
)

// errResponseTooLarge is wrapped when a body exceeds the size limit.
var errResponseTooLarge = errors.New("response body exceeds max_response_size")

// requestFailed gives a failed request its IOTOS code: 519 when it ran out
// of time (the request's timeout or the caller's deadline), 1301 for an
// oversized body, 504 for every other link failure.
func requestFailed(what string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // it repeats the method and URL that what already names
	}
	var ne net.Error
	switch {
	case errors.Is(err, errResponseTooLarge):
		return driver.Errorf(CodeResponseTooLarge, "%s: %v", what, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return driver.Errorf(driver.CodeTimeout, "%s: timed out: %v", what, err)
	}
	return driver.Errorf(driver.CodeNetError, "%s: %v", what, err)
}

// errorCode is the IOTOS code an error carries, 504 when it has none.
func errorCode(err error) int {
	var c interface{ ErrorCode() int }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return driver.CodeNetError
}
