package bus

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// Platform-side serving limits.
const (
	platformQueue  = "iotos-platform" // replicas share the work
	batchWorkers   = 16               // concurrent batch ingests
	requestWorkers = 8                // concurrent table/value requests
	// handlerTimeout bounds one handler call; engines wait less than this
	// and retry, so a handler stuck longer is only wasted work.
	handlerTimeout = 30 * time.Second
)

// Serve subscribes h to every gateway's up.* and req.* subjects.
func (p *platformLink) Serve(h PlatformHandler) error {
	if h == nil {
		return codes.New(codes.ArgError, "platform bus: nil handler")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs != nil {
		return codes.New(codes.ArgError, "platform bus: already serving")
	}
	batches := newWorkerPool(batchWorkers, func(m *nats.Msg) { p.onBatch(h, m) })
	requests := newWorkerPool(requestWorkers, func(m *nats.Msg) { p.onRequest(h, m) })
	p.pools = []*workerPool{batches, requests}
	routes := []struct {
		subject string
		cb      nats.MsgHandler
	}{
		{Subject("*", KindBatch), batches.submit},
		{Subject("*", "req.*"), requests.submit},
		{Subject("*", KindStatus), func(m *nats.Msg) { p.onStatus(h, m) }},
	}
	for _, r := range routes {
		sub, err := p.nc.QueueSubscribe(r.subject, platformQueue, r.cb)
		if err != nil {
			p.unsubscribeLocked()
			return requestError("platform subscribe "+r.subject, err, codes.NoWebSer)
		}
		p.subs = append(p.subs, sub)
	}
	return p.nc.Flush()
}

func (p *platformLink) unsubscribeLocked() {
	for _, sub := range p.subs {
		_ = sub.Unsubscribe()
	}
	for _, pool := range p.pools {
		pool.close()
	}
	p.subs, p.pools = nil, nil
}

// gatewayOf returns the gateway of a subject "iotos.gw.<gw>.<a>.<b>" and the
// kind "<a>.<b>". The wildcard subscription matches any token, so the ID is
// checked here.
func gatewayOf(subject string) (gw, kind string, err error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 5 || !model.IsHexID(parts[2], model.GatewayIDLen) {
		return "", "", codes.New(codes.ArgError, "subject %q: not a gateway subject", subject)
	}
	return parts[2], parts[3] + "." + parts[4], nil
}

func (p *platformLink) onBatch(h PlatformHandler, m *nats.Msg) {
	gw, _, err := gatewayOf(m.Subject)
	if err != nil {
		p.respond(m, ReplyOf(nil, err))
		return
	}
	// Called directly, the decoder skips encoding/json's validation pass
	// over the whole message; it validates as it reads.
	var b Batch
	if err := b.UnmarshalJSON(m.Data); err != nil {
		p.respond(m, ReplyOf(nil, codes.New(codes.ArgError, "gateway %s: batch does not decode: %v", gw, err)))
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, handlerTimeout)
	defer cancel()
	ack, err := h.Batch(ctx, gw, b)
	if err != nil {
		p.logger.Warn("bus: batch refused", "gateway", gw, "epoch", b.Epoch, "seq", b.Seq, "err", err)
	}
	p.respond(m, ReplyOf(ack, err))
}

func (p *platformLink) onStatus(h PlatformHandler, m *nats.Msg) {
	gw, _, err := gatewayOf(m.Subject)
	if err != nil {
		p.logger.Warn("bus: status dropped", "err", err)
		return
	}
	var st Status
	if err := json.Unmarshal(m.Data, &st); err != nil {
		p.logger.Warn("bus: status does not decode", "gateway", gw, "err", err)
		return
	}
	h.Status(gw, st)
}

func (p *platformLink) onRequest(h PlatformHandler, m *nats.Msg) {
	gw, kind, err := gatewayOf(m.Subject)
	if err != nil {
		p.respond(m, ReplyOf(nil, err))
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, handlerTimeout)
	defer cancel()
	p.respond(m, p.answer(ctx, h, gw, kind, m.Data))
}

// answer runs one req.* request.
func (p *platformLink) answer(ctx context.Context, h PlatformHandler, gw, kind string, data []byte) Reply {
	switch kind {
	case KindTable:
		return ReplyOf(h.TableIndex(ctx, gw))
	case KindDevice:
		var req DeviceReq
		if err := decodeCmd(data, &req); err != nil {
			return ReplyOf(nil, err)
		}
		return ReplyOf(h.DeviceTable(ctx, gw, req.ID))
	case KindValues:
		var req ValuesReq
		if err := decodeCmd(data, &req); err != nil {
			return ReplyOf(nil, err)
		}
		return ReplyOf(h.Values(ctx, gw, req.IDs))
	}
	return ReplyOf(nil, codes.New(codes.ArgError, "gateway %s: unknown request %q", gw, kind))
}

func (p *platformLink) respond(m *nats.Msg, r Reply) {
	if m.Reply == "" {
		return
	}
	data, err := json.Marshal(r)
	if err != nil {
		data, _ = json.Marshal(ReplyOf(nil, codes.New(codes.Unknown, "reply does not encode: %v", err)))
	}
	if err := m.Respond(data); err != nil {
		p.logger.Warn("bus: reply not sent", "subject", m.Subject, "err", err)
	}
}
