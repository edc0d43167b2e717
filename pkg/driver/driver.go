// Package driver is the SDK for IOTOS driver authors.
//
// A driver talks to one device (or one device link) on behalf of the engine.
// It implements the small Driver interface and opts into more capabilities by
// also implementing Writer, ReadNower, Broadcaster, Subscriber, Connector or
// Browser.
// The engine finds those by type assertion, so a driver that only reads is
// three methods long.
//
// # Lifecycle
//
//  1. Construct: the registered Factory returns a new value. Constructors do
//     no I/O and never fail.
//  2. Init(host, dev): decode and validate dev.Config and every point's
//     Config, precompute what the hot path needs (decoders, request plans),
//     keep host. No I/O. An error here is a configuration error: the device
//     is not started and the error is shown to the user (code 105).
//  3. Connect(ctx) (optional, Connector): open the link. It may fail; the
//     engine retries it with capped exponential backoff and jitter, and marks
//     the device offline meanwhile.
//  4. Read(ctx, points): called by the engine's device worker with every
//     point of one poll group that is due. The driver batches as its protocol
//     allows and returns one Sample per point it could read (quality Bad with
//     an error code for a point it could not). A returned error means the
//     whole read failed; an error wrapping ErrReconnect asks the engine to
//     Close and Connect again.
//  5. Write, ReadNow, Broadcast, Subscribed, Browse (optional): called by the same
//     worker, never concurrently with Read or with each other, so a driver
//     needs no locking for its link. Writes and on-demand reads go first.
//     A Read that sends several requests may call Yield between two of them:
//     the commands waiting then run inside that call, on the same goroutine,
//     so a write waits for one request instead of a whole poll; a driver
//     that yields must hold no per-request state across it.
//  6. Close(): release the link. Called once; after it no method is called.
//
// Every call gets a context whose deadline the driver must honour. The Host
// may be used from any goroutine at any time between Init and Close, e.g. by
// a driver that receives pushed values.
package driver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Driver is the interface every driver implements.
type Driver interface {
	// Init validates the configuration and keeps the host. No I/O.
	Init(host Host, dev Device) error
	// Read reads the given points, which all belong to this driver's device.
	Read(ctx context.Context, points []Point) ([]Sample, error)
	// Close releases everything the driver holds.
	Close() error
}

// Connector is implemented by drivers that hold a link to their device.
type Connector interface {
	Connect(ctx context.Context) error
}

// Writer is implemented by drivers that can write points (the original
// Event_setData). The value has already been converted to the point's type
// and checked against its range. The Result is returned to the caller as-is.
type Writer interface {
	Write(ctx context.Context, p Point, value any) (Result, error)
}

// ReadNower is implemented by drivers that can read one point on demand
// (the original Event_getData), outside the poll schedule.
type ReadNower interface {
	ReadNow(ctx context.Context, p Point) (Sample, error)
}

// Broadcaster is implemented by drivers that accept gateway-wide messages
// (the original Event_customBroadcast).
type Broadcaster interface {
	Broadcast(ctx context.Context, m Message) (Result, error)
}

// Message is a gateway-wide message to the drivers.
type Message struct {
	// From names the sender: "user:<name>" for a platform user (the
	// original fromUuid).
	From string
	Type string
	Data json.RawMessage
}

// Subscriber is implemented by drivers that receive the values of points
// their device subscribes to (the original Event_syncPubMsg). point is the
// relative ID "dev.pt" inside the gateway.
type Subscriber interface {
	Subscribed(ctx context.Context, point string, s Sample)
}

// ErrReconnect, wrapped in an error from Read, Write or ReadNow, tells the
// engine the link is broken: it closes the driver and connects again with
// backoff.
var ErrReconnect = errors.New("driver: link lost, reconnect")

// Result is a driver's reply to a write or a broadcast: the IOTOS envelope.
// Code 0 is success; codes above 1000 are the driver's own and pass through
// to the caller unchanged.
type Result struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

// OK is a success result carrying data.
func OK(data any) Result { return Result{Code: 0, Msg: "ok", Data: data} }

// Error is an error with an IOTOS code. Drivers return it to choose the code
// a failure is reported with (504 for a link error, 519 for a timeout, or a
// code above 1000 of their own).
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("code %d: %s", e.Code, e.Msg) }

// ErrorCode reports the error's IOTOS code.
func (e *Error) ErrorCode() int { return e.Code }

// Errorf returns an *Error with a formatted message.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Codes a driver commonly needs (the canonical table is DESIGN.md §4).
const (
	CodeArgError     = 105
	CodeNetError     = 504
	CodeTypeNotValid = 516
	CodeTimeout      = 519
)

// Host is what the engine offers a driver.
type Host interface {
	// SetValue reports a value for one point of this driver's device. name is
	// a point ID or name; ts is the source time (zero means now).
	SetValue(name string, value any, ts time.Time) error
	// SetValues reports several values at once.
	SetValues(samples []Sample) error
	// Value returns a point's current value. name is "pt", "dev.pt" (another
	// device of the gateway), by ID or name.
	Value(ctx context.Context, name string, src Source) (Sample, error)
	// Online marks the device online or offline.
	Online(online bool)
	// Subscribers returns the IDs of the gateway's devices subscribed to a
	// point of this device ("pt" by ID or name), sorted: those whose
	// subscriptions name "dev.pt" or "dev.*". It reflects the current
	// tables, so a device added later is included.
	Subscribers(name string) ([]string, error)
	// Logger is the device's logger (device and driver attributes set).
	Logger() *slog.Logger
}

// Source says where Host.Value looks.
type Source string

// Sources of Host.Value.
const (
	SourceMemory   Source = "memory"   // the engine's last-value memory (fast, default)
	SourceDevice   Source = "device"   // a synchronous read through the owning driver
	SourcePlatform Source = "platform" // the platform's last-value cache
)
