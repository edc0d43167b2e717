// Package wire is the protocol between the engine and an external driver
// process: newline-delimited JSON over the child's stdin and stdout.
//
// Every line is one Frame. A frame with a Method and an ID is a request and
// expects exactly one reply frame carrying the same ID and either Result or
// Error; a frame with a Method and no ID (ID 0) is a notification. Both ends
// may send requests at any time, so a driver can ask the host for a value
// while the host waits on its read. The child speaks first: its first line
// is the Hello notification, which carries the protocol version.
//
// The full description is docs/wire-protocol.md.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Version is the protocol version this package speaks.
const Version = 1

// Protocol names the protocol in the hello line.
const Protocol = "iotos-wire"

// MaxLine is the largest frame accepted, newline excluded. A longer line is
// an error rather than an unbounded allocation.
const MaxLine = 4 << 20

// Codes used on the wire (the canonical table is DESIGN.md §4).
const (
	codeArgError  = 105
	codeNetError  = 504
	codeBadFrame  = 517
	codeTimeout   = 519
	codeUnknown   = 101
	maxLineInMsgs = 120 // how much of a bad line an error message quotes
)

// Frame is one line of the protocol.
type Frame struct {
	ID     uint64          `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// IsRequest reports whether the frame expects a reply.
func (f Frame) IsRequest() bool { return f.Method != "" && f.ID != 0 }

// IsNotification reports whether the frame is a one-way message.
func (f Frame) IsNotification() bool { return f.Method != "" && f.ID == 0 }

// IsReply reports whether the frame answers a request.
func (f Frame) IsReply() bool { return f.Method == "" }

// Error is a failed call's reply: an IOTOS code and a message. It implements
// ErrorCode so codes.From keeps the code.
type Error struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

func (e *Error) Error() string { return fmt.Sprintf("code %d: %s", e.Code, e.Msg) }

// ErrorCode reports the error's IOTOS code.
func (e *Error) ErrorCode() int { return e.Code }

// DecodeFrame parses and validates one line (without its newline). Anything
// that is not a well-formed frame is an *Error with code 517 quoting the
// line, so a driver that prints to stdout gets a message naming the output.
func DecodeFrame(line []byte) (Frame, error) {
	var f Frame
	if len(line) > MaxLine {
		return f, &Error{Code: codeBadFrame, Msg: fmt.Sprintf("frame of %d bytes exceeds the %d byte limit", len(line), MaxLine)}
	}
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return f, badLine(line, "not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Frame{}, badLine(line, err.Error())
	}
	if dec.More() {
		return Frame{}, badLine(line, "trailing data after the frame")
	}
	if err := f.validate(); err != nil {
		return Frame{}, badLine(line, err.Error())
	}
	return f, nil
}

func (f Frame) validate() error {
	switch {
	case f.Method != "" && (f.Result != nil || f.Error != nil):
		return fmt.Errorf("a request carries no result or error")
	case f.Method == "" && f.ID == 0:
		return fmt.Errorf("a frame needs a method or an id")
	case f.Method == "" && f.Result != nil && f.Error != nil:
		return fmt.Errorf("a reply carries a result or an error, not both")
	}
	return nil
}

func badLine(line []byte, why string) *Error {
	q := line
	if len(q) > maxLineInMsgs {
		q = q[:maxLineInMsgs]
	}
	return &Error{Code: codeBadFrame, Msg: fmt.Sprintf("bad frame %q: %s", q, why)}
}

// EncodeFrame renders a frame as one line, newline included.
func EncodeFrame(f Frame) ([]byte, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
