package bus

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
)

// defaultCommandTimeout is a command's budget when it carries none.
const defaultCommandTimeout = 5 * time.Second

// Serve subscribes h to the gateway's commands. The subscription follows
// the link through reconnects and rebuilt connections; each command runs in
// its own goroutine with a context deadline from its TimeoutMS.
func (e *EngineConn) Serve(h EngineHandler) error {
	if h == nil {
		return codes.New(codes.ArgError, "gateway %s: nil command handler", e.gw)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return codes.New(codes.NoWebSer, "gateway %s: link closed", e.gw)
	}
	if e.handler != nil {
		e.mu.Unlock()
		return codes.New(codes.ArgError, "gateway %s: commands are already served", e.gw)
	}
	e.handler = h
	nc := e.nc
	if nc == nil {
		e.mu.Unlock()
		return nil // subscribed when the link connects
	}
	err := e.subscribeLocked()
	e.mu.Unlock()
	if err != nil {
		return err
	}
	// The round trip makes the subscription live at the server before
	// Serve returns; a link that just dropped subscribes again on reconnect.
	if nc.IsConnected() {
		_ = nc.FlushTimeout(defaultRequestTimeout)
	}
	return nil
}

// subscribeLocked subscribes the handler on the current connection.
func (e *EngineConn) subscribeLocked() error {
	if _, err := e.nc.Subscribe(Subject(e.gw, "cmd.*"), e.onCommand); err != nil {
		return requestError("gateway "+e.gw+" subscribe commands", err, codes.NoWebSer)
	}
	return nil
}

// onCommand starts a handler goroutine unless the link is closing.
func (e *EngineConn) onCommand(msg *nats.Msg) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	h := e.handler
	e.handlers.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.handlers.Done()
		e.dispatch(h, msg)
	}()
}

// dispatch decodes one command, runs it and sends the reply.
func (e *EngineConn) dispatch(h EngineHandler, msg *nats.Msg) {
	kind := kindOf(e.gw, msg.Subject)
	var r Reply
	switch kind {
	case KindReload:
		var cmd ReloadCmd
		if err := decodeCmd(msg.Data, &cmd); err != nil {
			e.logger.Warn("bus: bad reload notice", "err", err)
			return
		}
		h.Reload(cmd)
		return
	case KindWrite:
		r = runCmd(e, msg.Data, func(c WriteCmd) int64 { return c.TimeoutMS }, h.Write)
	case KindRead:
		r = runCmd(e, msg.Data, func(c ReadCmd) int64 { return c.TimeoutMS }, h.Read)
	case KindBroadcast:
		r = runCmd(e, msg.Data, func(c BroadcastCmd) int64 { return c.TimeoutMS }, h.Broadcast)
	case KindCollect:
		r = runCmd(e, msg.Data, func(c CollectCmd) int64 { return c.TimeoutMS }, h.Collect)
	case KindBrowse:
		b, ok := h.(EngineBrowser)
		if !ok {
			r = ReplyOf(nil, codes.New(codes.PropertyNotValid, "gateway %s: this engine does not browse devices", e.gw))
			break
		}
		r = runCmd(e, msg.Data, func(c BrowseCmd) int64 { return c.TimeoutMS }, b.Browse)
	default:
		r = ReplyOf(nil, codes.New(codes.ArgError, "gateway %s: unknown command %q", e.gw, kind))
	}
	e.respond(msg, r)
}

// kindOf is a command subject's kind ("cmd.write").
func kindOf(gw, subject string) string { return strings.TrimPrefix(subject, Subject(gw, "")) }

// runCmd decodes a command of type T and calls fn within its deadline.
func runCmd[T any](e *EngineConn, data []byte, timeoutMS func(T) int64, fn func(context.Context, T) Reply) Reply {
	var cmd T
	if err := decodeCmd(data, &cmd); err != nil {
		return ReplyOf(nil, err)
	}
	timeout := defaultCommandTimeout
	if ms := timeoutMS(cmd); ms > 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(e.cmdCtx, timeout)
	defer cancel()
	return fn(ctx, cmd)
}

func decodeCmd(data []byte, v any) error {
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return codes.New(codes.ArgError, "command does not decode: %v", err)
	}
	return nil
}

// respond sends r to the requester, if it asked for a reply.
func (e *EngineConn) respond(msg *nats.Msg, r Reply) {
	if msg.Reply == "" {
		return
	}
	data, err := json.Marshal(r)
	if err != nil {
		data, _ = json.Marshal(ReplyOf(nil, codes.New(codes.Unknown, "reply does not encode: %v", err)))
	}
	err = msg.Respond(data)
	if errors.Is(err, nats.ErrMaxPayload) {
		// A reply the bus cannot carry (a large browse) would otherwise
		// leave the caller waiting for its deadline: say why at once.
		data, _ = json.Marshal(ReplyOf(nil, codes.New(codes.ArgError,
			"%s: the reply (%d bytes) exceeds the bus's payload limit; ask for less", kindOf(e.gw, msg.Subject), len(data))))
		err = msg.Respond(data)
	}
	if err != nil {
		e.logger.Warn("bus: command reply not sent", "subject", msg.Subject, "err", err)
	}
}
