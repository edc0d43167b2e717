package shim

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

// host is driver.Host over the wire: values and status go to the engine as
// notifications, Value is a call.
type host struct {
	peer *wire.Peer
}

var _ driver.Host = (*host)(nil)

// subscribersTimeout bounds a Subscribers call, which takes no context.
const subscribersTimeout = 10 * time.Second

func (h *host) SetValue(name string, value any, ts time.Time) error {
	return h.SetValues([]driver.Sample{{Point: name, Value: value, TS: ts, Quality: driver.Good}})
}

func (h *host) SetValues(samples []driver.Sample) error {
	out := make([]wire.Sample, len(samples))
	for i, s := range samples {
		out[i] = wire.FromSample(s)
	}
	return h.peer.Notify(wire.MethodSetValues, wire.SetValuesParams{Samples: out})
}

func (h *host) Value(ctx context.Context, name string, src driver.Source) (driver.Sample, error) {
	var s wire.Sample
	if err := h.peer.Call(ctx, wire.MethodValue, wire.ValueParams{Name: name, Source: string(src)}, &s); err != nil {
		return driver.Sample{}, fmt.Errorf("value %s: %w", name, err)
	}
	return wire.ToSample(s), nil
}

func (h *host) Subscribers(name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), subscribersTimeout)
	defer cancel()
	var ids []string
	if err := h.peer.Call(ctx, wire.MethodSubscribers, wire.NameParams{Name: name}, &ids); err != nil {
		return nil, fmt.Errorf("subscribers of %s: %w", name, err)
	}
	return ids, nil
}

func (h *host) Online(online bool) {
	_ = h.peer.Notify(wire.MethodOnline, wire.OnlineParams{Online: online})
}

func (h *host) Logger() *slog.Logger { return slog.New(&logHandler{peer: h.peer}) }

// logHandler sends each record as a log notification, attributes rendered
// as key=value after the message.
type logHandler struct {
	peer  *wire.Peer
	attrs []slog.Attr
	group string
}

func (l *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (l *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		key := a.Key
		if l.group != "" {
			key = l.group + "." + key
		}
		fmt.Fprintf(&b, " %s=%v", key, a.Value.Any())
		return true
	}
	for _, a := range l.attrs {
		write(a)
	}
	r.Attrs(write)
	return l.peer.Notify(wire.MethodLog, wire.LogParams{Level: levelName(r.Level), Msg: b.String()})
}

func (l *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *l
	n.attrs = append(append([]slog.Attr{}, l.attrs...), attrs...)
	return &n
}

func (l *logHandler) WithGroup(name string) slog.Handler {
	n := *l
	if n.group != "" {
		name = n.group + "." + name
	}
	n.group = name
	return &n
}

func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warn"
	case l >= slog.LevelInfo:
		return "info"
	}
	return "debug"
}
