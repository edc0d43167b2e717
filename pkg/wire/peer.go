package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Handler serves the other side's requests and notifications. For a
// notification its result is discarded. An error with an ErrorCode method
// keeps its code on the wire; any other error is sent as 101.
type Handler func(ctx context.Context, method string, params json.RawMessage) (any, error)

// ErrClosed is returned by calls on a peer whose stream has ended.
var ErrClosed = errors.New("wire: peer closed")

// MaxInflight bounds the incoming requests a peer serves at once. When it is
// reached the peer stops reading, so a flooding side is slowed by the pipe
// instead of growing the other side's memory.
const MaxInflight = 64

// Peer is one end of a wire connection: it sends calls and matches replies
// by ID, and serves the other end's calls concurrently. Notifications are
// handled in arrival order on the reading goroutine, so values stay ordered.
type Peer struct {
	r       *Reader
	w       io.Writer
	handler Handler

	wmu sync.Mutex // serialises writes: one frame per Write

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan Frame
	err     error // set once the stream ends

	sem  chan struct{}
	done chan struct{}
}

// NewPeer returns a peer reading frames from r and writing to w. Run must be
// called to start reading. A nil handler refuses every incoming call.
func NewPeer(r io.Reader, w io.Writer, h Handler) *Peer {
	if h == nil {
		h = refuse
	}
	return &Peer{r: NewReader(r), w: w, handler: h, pending: map[uint64]chan Frame{},
		sem: make(chan struct{}, MaxInflight), done: make(chan struct{})}
}

// ReadHello reads the handshake line; call it before Run on the host side.
func (p *Peer) ReadHello() (Hello, error) {
	f, err := p.r.Next()
	if err != nil {
		return Hello{}, fmt.Errorf("handshake: %w", err)
	}
	var h Hello
	if f.Method != MethodHello || json.Unmarshal(f.Params, &h) != nil {
		return Hello{}, &Error{Code: codeBadFrame, Msg: fmt.Sprintf("handshake: expected a hello line, got method %q", f.Method)}
	}
	if h.Protocol != Protocol || h.Version != Version {
		return h, &Error{Code: codeBadFrame, Msg: fmt.Sprintf("handshake: driver speaks %s/%d, host speaks %s/%d", h.Protocol, h.Version, Protocol, Version)}
	}
	return h, nil
}

// SendHello writes the handshake line; the driver side calls it first.
func (p *Peer) SendHello(driverName string) error {
	return p.Notify(MethodHello, Hello{Protocol: Protocol, Version: Version, Driver: driverName})
}

// Run reads frames until the stream ends or a frame is malformed, then fails
// every pending call with the reason and returns it. Handlers still running
// get ctx cancelled.
func (p *Peer) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := p.readLoop(ctx)
	if errors.Is(err, io.EOF) {
		err = ErrClosed
	}
	p.fail(err)
	return err
}

func (p *Peer) readLoop(ctx context.Context) error {
	for {
		f, err := p.r.Next()
		if err != nil {
			return err
		}
		switch {
		case f.IsReply():
			p.deliver(f)
		case f.IsNotification():
			p.serve(ctx, f)
		default:
			select {
			case p.sem <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			go func() {
				defer func() { <-p.sem }()
				p.serve(ctx, f)
			}()
		}
	}
}

func (p *Peer) deliver(f Frame) {
	p.mu.Lock()
	ch, ok := p.pending[f.ID]
	delete(p.pending, f.ID)
	p.mu.Unlock()
	if ok {
		ch <- f // buffered: never blocks
	}
}

// serve runs the handler and, for a request, sends the reply.
func (p *Peer) serve(ctx context.Context, f Frame) {
	res, err := p.handler(ctx, f.Method, f.Params)
	if f.ID == 0 {
		return
	}
	reply := Frame{ID: f.ID}
	if err != nil {
		reply.Error = toWireError(err)
	} else if reply.Result, err = json.Marshal(res); err != nil {
		reply.Result, reply.Error = nil, &Error{Code: codeUnknown, Msg: "encoding result: " + err.Error()}
	}
	_ = p.write(reply) // a broken pipe also ends Run, which reports it
}

func toWireError(err error) *Error {
	var c interface{ ErrorCode() int }
	if errors.As(err, &c) {
		return &Error{Code: c.ErrorCode(), Msg: err.Error()}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: codeTimeout, Msg: err.Error()}
	}
	return &Error{Code: codeUnknown, Msg: err.Error()}
}

// fail ends the peer: pending and future calls get err.
func (p *Peer) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	p.err = err
	for id, ch := range p.pending {
		ch <- Frame{ID: id, Error: &Error{Code: codeNetError, Msg: err.Error()}}
		delete(p.pending, id)
	}
	close(p.done)
}

// Done is closed when the peer has stopped reading.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Err is why the peer stopped, or nil while it runs.
func (p *Peer) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Call sends a request and waits for its reply, decoding the result into
// out (which may be nil). A reply error is returned as *Error; ctx's
// deadline ends the wait with code 519.
func (p *Peer) Call(ctx context.Context, method string, params, out any) error {
	raw, err := marshalParams(params)
	if err != nil {
		return err
	}
	ch := make(chan Frame, 1)
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		return &Error{Code: codeNetError, Msg: fmt.Sprintf("%s: %v", method, p.err)}
	}
	p.nextID++
	id := p.nextID
	p.pending[id] = ch
	p.mu.Unlock()

	if err := p.write(Frame{ID: id, Method: method, Params: raw}); err != nil {
		p.forget(id)
		return &Error{Code: codeNetError, Msg: fmt.Sprintf("%s: %v", method, err)}
	}
	select {
	case f := <-ch:
		return decodeReply(method, f, out)
	case <-ctx.Done():
		p.forget(id)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &Error{Code: codeTimeout, Msg: fmt.Sprintf("%s: no reply before the deadline", method)}
		}
		return ctx.Err()
	}
}

func (p *Peer) forget(id uint64) {
	p.mu.Lock()
	delete(p.pending, id)
	p.mu.Unlock()
}

func decodeReply(method string, f Frame, out any) error {
	if f.Error != nil {
		return f.Error
	}
	if out == nil || len(f.Result) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(f.Result))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return &Error{Code: codeBadFrame, Msg: fmt.Sprintf("%s: bad reply %s: %v", method, clip(f.Result), err)}
	}
	return nil
}

// Notify sends a one-way message.
func (p *Peer) Notify(method string, params any) error {
	raw, err := marshalParams(params)
	if err != nil {
		return err
	}
	return p.write(Frame{Method: method, Params: raw})
}

func (p *Peer) write(f Frame) error {
	b, err := EncodeFrame(f)
	if err != nil {
		return err
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err = p.w.Write(b)
	return err
}

func marshalParams(params any) (json.RawMessage, error) {
	if params == nil {
		return nil, nil
	}
	b, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("wire: encoding params: %w", err)
	}
	return b, nil
}

func clip(b []byte) string {
	if len(b) > maxLineInMsgs {
		return string(b[:maxLineInMsgs]) + "…"
	}
	return string(b)
}

// DecodeParams decodes a frame's params into v, keeping numbers exact
// (json.Number) so NormalizeValue can tell 3 from 3.0. A decoding failure is
// code 105.
func DecodeParams(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &Error{Code: codeArgError, Msg: fmt.Sprintf("bad params %s: %v", clip(raw), err)}
	}
	return nil
}

func refuse(_ context.Context, method string, _ json.RawMessage) (any, error) {
	return nil, &Error{Code: codeArgError, Msg: fmt.Sprintf("unknown method %q", method)}
}
