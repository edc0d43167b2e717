// Package codes holds the canonical IOTOS reply codes and the {code,msg,data}
// envelope that every API and bus reply uses (DESIGN.md §4).
package codes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Code is an IOTOS reply code. 0 is success; 0–99 router, 100–499 platform,
// 500–999 engine, above 1000 user or driver defined (passed through unchanged).
type Code int

// The canonical codes.
const (
	Success            Code = 0
	SelfOffline        Code = 2
	ObjectOffline      Code = 3
	NoWebSer           Code = 6
	Unknown            Code = 101
	ArgError           Code = 105
	AccountNotRegister Code = 107
	IONodeNotExist     Code = 108
	DeviceNotExist     Code = 109
	DataNotExist       Code = 110
	PointNotExist      Code = 111
	ObjectNotAuth      Code = 112
	NetError           Code = 504
	FileNotExist       Code = 513
	TableNotValid      Code = 514
	PropertyNotValid   Code = 515
	TypeNotValid       Code = 516
	RuleNotRecognized  Code = 517
	ThreadNotDestroyed Code = 518
	Timeout            Code = 519
)

var names = map[Code]string{
	Success: "Success", SelfOffline: "SelfOffline", ObjectOffline: "ObjectOffline",
	NoWebSer: "NoWebSer", Unknown: "Unknown", ArgError: "ArgError",
	AccountNotRegister: "AccountNotRegister", IONodeNotExist: "IONodeNotExist",
	DeviceNotExist: "DeviceNotExist", DataNotExist: "DataNotExist", PointNotExist: "PointNotExist",
	ObjectNotAuth: "ObjectNotAuth", NetError: "NetError", FileNotExist: "FileNotExist",
	TableNotValid: "TableNotValid", PropertyNotValid: "PropertyNotValid", TypeNotValid: "TypeNotValid",
	RuleNotRecognized: "RuleNotRecognized", ThreadNotDestroyed: "ThreadNotDestroyed", Timeout: "Timeout",
}

// String returns the code's canonical name, or "Code(n)" for user codes.
func (c Code) String() string {
	if n, ok := names[c]; ok {
		return n
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Envelope is the reply shape of every API and bus call.
type Envelope struct {
	Code Code   `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

// OK wraps data in a success envelope.
func OK(data any) Envelope { return Envelope{Code: Success, Msg: "ok", Data: data} }

// Error is an error that carries a canonical code. Data is optional detail
// (for 514, the list of problems). Status overrides the HTTP status derived
// from the code (a duplicate name is 105 with HTTP 409).
type Error struct {
	Code   Code
	Msg    string
	Data   any
	Status int
}

func (e *Error) Error() string { return fmt.Sprintf("code %d: %s", int(e.Code), e.Msg) }

// ErrorCode lets packages that cannot import this one (drivers) be recognised
// by anything with the same method.
func (e *Error) ErrorCode() int { return int(e.Code) }

// Envelope turns the error into a reply envelope.
func (e *Error) Envelope() Envelope { return Envelope{Code: e.Code, Msg: e.Msg, Data: e.Data} }

// New returns an *Error with a formatted message.
func New(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// WithData returns an *Error carrying data.
func WithData(c Code, data any, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...), Data: data}
}

// Conflict is a duplicate name or ID: code 105, HTTP 409.
func Conflict(format string, args ...any) *Error {
	return &Error{Code: ArgError, Msg: fmt.Sprintf(format, args...), Status: http.StatusConflict}
}

// coded is implemented by errors from packages that cannot import codes
// (pkg/driver.Error, for one).
type coded interface{ ErrorCode() int }

// From maps any error to an *Error. Errors with a code keep it; context
// deadlines become 519; anything else is 101 with the error text as cause.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var c coded
	if errors.As(err, &c) {
		return &Error{Code: Code(c.ErrorCode()), Msg: err.Error()}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: Timeout, Msg: "deadline exceeded"}
	}
	return &Error{Code: Unknown, Msg: "unexpected failure", Data: err.Error()}
}

// Of returns the code of err: Success for nil.
func Of(err error) Code {
	if err == nil {
		return Success
	}
	return From(err).Code
}

// EnvelopeOf turns an error into an envelope (a nil error is success with nil data).
func EnvelopeOf(err error) Envelope {
	if err == nil {
		return OK(nil)
	}
	return From(err).Envelope()
}

// HTTPStatus is the HTTP status that goes with a code.
func HTTPStatus(c Code) int {
	switch {
	case c == Success:
		return http.StatusOK
	case c == AccountNotRegister:
		return http.StatusUnauthorized
	case c == ObjectNotAuth:
		return http.StatusForbidden
	case c == IONodeNotExist, c == DeviceNotExist, c == DataNotExist, c == FileNotExist:
		return http.StatusNotFound
	case c == ObjectOffline, c == SelfOffline, c == NoWebSer, c == NetError:
		return http.StatusServiceUnavailable
	case c == Timeout:
		return http.StatusGatewayTimeout
	case c == Unknown, c == ThreadNotDestroyed:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// StatusOf is the HTTP status for an error, honouring its override.
func StatusOf(e *Error) int {
	if e.Status != 0 {
		return e.Status
	}
	return HTTPStatus(e.Code)
}
