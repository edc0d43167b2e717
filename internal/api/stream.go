package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

// Live stream tuning. Samples are coalesced per client so a browser gets a
// few frames a second, not one per ingested batch.
const (
	streamFlushDelay   = 50 * time.Millisecond
	streamPingEvery    = 20 * time.Second
	streamWriteTimeout = 10 * time.Second
	streamReadLimit    = 1 << 20 // a subscribe message may list thousands of IDs
)

// streams is the live WebSocket stream: one hub fed by ingest, and its
// metrics.
type streams struct {
	hub     *app.Hub
	dropped prometheus.Counter
	clients prometheus.Gauge
}

func newStreams(a *app.App, reg prometheus.Registerer, queueLimit int) *streams {
	st := &streams{
		hub: app.NewHub(app.HubOptions{QueueLimit: queueLimit}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "iotos_stream_dropped_total",
			Help: "Samples discarded because a live-stream client's queue overflowed (each loss is reported to the client).",
		}),
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "iotos_stream_clients",
			Help: "Connected live-stream clients.",
		}),
	}
	if reg != nil {
		reg.MustRegister(st.dropped, st.clients)
	}
	if a != nil { // a handler serving only health checks has no App
		a.AttachStream(st.hub)
	}
	return st
}

// Frames the server sends.
type (
	samplesFrame struct {
		Type string         `json:"type"` // "snapshot" or "samples"
		Data []model.Sample `json:"data"`
	}
	droppedFrame struct {
		Type  string `json:"type"` // "dropped"
		Count int    `json:"count"`
	}
	errorFrame struct {
		Type string     `json:"type"` // "error"
		Code codes.Code `json:"code"`
		Msg  string     `json:"msg"`
	}
)

// subscribeMessage is the one message a client sends.
type subscribeMessage struct {
	Type string `json:"type"`
	app.StreamFilter
}

// stream serves GET /api/v1/stream. Browsers cannot set headers on a
// WebSocket, so besides the cookie and Bearer the token may come as
// ?token=. The Origin must be our own host: the cookie would otherwise let
// any page a user visits read their live data.
func (s *server) stream(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, &codes.Error{Code: codes.ObjectNotAuth, Msg: "stream: cross-origin WebSocket refused", Status: http.StatusForbidden})
		return
	}
	if _, err := s.streamUser(r); err != nil {
		writeError(w, err)
		return
	}
	f := filterFromQuery(r.URL.Query())
	sub := s.streams.hub.Subscribe(f)
	// Subscribed before the snapshot is read, so nothing ingested in
	// between is missed (it may arrive twice; clients keep the newest ts).
	snap, err := s.app.StreamSnapshot(r.Context(), f)
	if err != nil {
		sub.Close()
		writeError(w, err)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}) // origin checked above
	if err != nil {
		sub.Close()
		return
	}
	conn.SetReadLimit(streamReadLimit)
	s.streams.clients.Inc()
	defer s.streams.clients.Dec()
	c := &streamClient{srv: s, conn: conn, sub: sub, filter: f, subscribe: make(chan app.StreamFilter, 1)}
	c.run(snap)
}

func (s *server) streamUser(r *http.Request) (store.User, error) {
	if token := r.URL.Query().Get("token"); token != "" {
		return s.app.Authenticate(r.Context(), token)
	}
	return s.authenticate(r)
}

// sameOrigin accepts requests without an Origin (non-browser clients) and
// browser requests whose Origin names the host they were sent to.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

func filterFromQuery(q url.Values) app.StreamFilter {
	if ids := q.Get("ids"); ids != "" {
		return app.StreamFilter{IDs: splitIDs(ids)}
	}
	return app.StreamFilter{Gateway: q.Get("gateway"), Device: q.Get("device")}
}

// streamClient is one connection: the handler goroutine writes every
// frame; a reader goroutine takes subscribe messages and a pinger keeps
// the connection alive and detects dead peers.
type streamClient struct {
	srv       *server
	conn      *websocket.Conn
	sub       *app.Subscription
	filter    app.StreamFilter
	subscribe chan app.StreamFilter
	lastFrame time.Time // when the last samples frame was sent
}

func (c *streamClient) run(snap []model.Sample) {
	defer c.sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.read(ctx, cancel)
	go c.ping(ctx, cancel)
	err := c.send(ctx, samplesFrame{Type: "snapshot", Data: nonNil(snap)})
	if err == nil {
		err = c.loop(ctx)
	}
	switch {
	case errors.Is(err, errHubClosed):
		_ = c.conn.Close(websocket.StatusGoingAway, "server shutting down")
	case ctx.Err() != nil:
		_ = c.conn.CloseNow() // the peer went away or stopped answering
	default:
		_ = c.conn.Close(websocket.StatusInternalError, "stream failed")
	}
}

var errHubClosed = errors.New("stream hub closed")

// loop forwards queued samples until the client or the server goes.
func (c *streamClient) loop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.srv.streams.hub.Done():
			return errHubClosed
		case f := <-c.subscribe:
			if err := c.resubscribe(ctx, f); err != nil {
				return err
			}
		case <-c.sub.Wake():
			if err := c.coalesce(ctx); err != nil {
				return err
			}
			if err := c.flush(ctx); err != nil {
				return err
			}
		}
	}
}

// coalesce waits until the next frame is due: streamFlushDelay after the
// previous one, or at once when a full batch is queued. Samples arriving
// after a quiet spell leave without delay (the hub wakes the client once
// an ingest batch is queued whole), and a client still gets at most one
// frame per delay.
func (c *streamClient) coalesce(ctx context.Context) error {
	wait := streamFlushDelay - time.Since(c.lastFrame)
	if wait <= 0 || c.sub.Ready() {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.sub.Wake(): // a full batch or an overflow
	case <-ctx.Done():
		return ctx.Err()
	case <-c.srv.streams.hub.Done():
		return errHubClosed
	}
	return nil
}

func (c *streamClient) flush(ctx context.Context) error {
	samples, dropped := c.sub.Take()
	if dropped > 0 {
		c.srv.streams.dropped.Add(float64(dropped))
		if err := c.send(ctx, droppedFrame{Type: "dropped", Count: dropped}); err != nil {
			return err
		}
		return c.snapshot(ctx)
	}
	if len(samples) == 0 {
		return nil
	}
	c.lastFrame = time.Now()
	return c.send(ctx, samplesFrame{Type: "samples", Data: samples})
}

func (c *streamClient) snapshot(ctx context.Context) error {
	snap, err := c.srv.app.StreamSnapshot(ctx, c.filter)
	if err != nil {
		return c.sendError(ctx, err) // e.g. the gateway was deleted meanwhile
	}
	return c.send(ctx, samplesFrame{Type: "snapshot", Data: nonNil(snap)})
}

// resubscribe switches to a new filter; an invalid one is answered with an
// error frame and the old subscription stays.
func (c *streamClient) resubscribe(ctx context.Context, f app.StreamFilter) error {
	if err := f.Validate(); err != nil {
		return c.sendError(ctx, err)
	}
	old := c.filter
	c.sub.Update(f) // before the snapshot, as on connect
	snap, err := c.srv.app.StreamSnapshot(ctx, f)
	if err != nil {
		c.sub.Update(old)
		return c.sendError(ctx, err)
	}
	c.filter = f
	return c.send(ctx, samplesFrame{Type: "snapshot", Data: nonNil(snap)})
}

func (c *streamClient) sendError(ctx context.Context, err error) error {
	e := codes.From(err)
	return c.send(ctx, errorFrame{Type: "error", Code: e.Code, Msg: e.Msg})
}

func (c *streamClient) send(ctx context.Context, frame any) error {
	b, err := json.Marshal(frame)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, streamWriteTimeout)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, b)
}

// read takes subscribe messages; anything else gets an error frame. It
// also processes the pongs that ping waits for.
func (c *streamClient) read(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	for {
		_, data, err := c.conn.Read(ctx)
		if err != nil {
			return
		}
		f, err := parseSubscribe(data)
		if err != nil {
			if c.sendError(ctx, err) != nil {
				return
			}
			continue
		}
		select {
		case c.subscribe <- f:
		case <-ctx.Done():
			return
		}
	}
}

func parseSubscribe(data []byte) (app.StreamFilter, error) {
	var m subscribeMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return app.StreamFilter{}, codes.New(codes.ArgError, "stream: malformed message: %v", err)
	}
	if m.Type != "subscribe" {
		return app.StreamFilter{}, codes.New(codes.ArgError, "stream: unknown message type %q (want subscribe)", m.Type)
	}
	return m.StreamFilter, nil
}

func (c *streamClient) ping(ctx context.Context, cancel context.CancelFunc) {
	t := time.NewTicker(streamPingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, pcancel := context.WithTimeout(ctx, streamWriteTimeout)
			err := c.conn.Ping(pctx)
			pcancel()
			if err != nil {
				cancel()
				return
			}
		}
	}
}

func nonNil(s []model.Sample) []model.Sample {
	if s == nil {
		return []model.Sample{}
	}
	return s
}
