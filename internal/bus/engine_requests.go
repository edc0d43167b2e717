package bus

import (
	"context"
	"encoding/json"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// SendBatch delivers a batch and waits for the platform's acknowledgement.
func (e *EngineConn) SendBatch(ctx context.Context, b Batch) (Ack, error) {
	var ack Ack
	err := e.request(ctx, KindBatch, b, &ack)
	return ack, err
}

// PublishStatus sends the engine's status; a status is only worth sending
// now, so it is not queued while the link is down.
func (e *EngineConn) PublishStatus(st Status) error {
	nc := e.conn()
	if nc == nil || !nc.IsConnected() {
		return codes.New(codes.NoWebSer, "gateway %s: status not sent: not connected", e.gw)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return codes.New(codes.ArgError, "gateway %s: status does not encode: %v", e.gw, err)
	}
	if err := nc.Publish(Subject(e.gw, KindStatus), data); err != nil {
		return requestError("gateway "+e.gw+" "+KindStatus, err, codes.NoWebSer)
	}
	return nil
}

// TableIndex asks for the gateway's device list with version hashes.
func (e *EngineConn) TableIndex(ctx context.Context) (TableIndex, error) {
	var ti TableIndex
	err := e.request(ctx, KindTable, struct{}{}, &ti)
	return ti, err
}

// DeviceTable asks for one device's table.
func (e *EngineConn) DeviceTable(ctx context.Context, id string) (DeviceTable, error) {
	var dt DeviceTable
	err := e.request(ctx, KindDevice, DeviceReq{ID: id}, &dt)
	return dt, err
}

// Values asks the platform's last-value cache; ids are "dev.pt".
func (e *EngineConn) Values(ctx context.Context, ids []string) ([]model.Sample, error) {
	var samples []model.Sample
	err := e.request(ctx, KindValues, ValuesReq{IDs: ids}, &samples)
	return samples, err
}

// request sends req on the gateway's kind subject and decodes the reply's
// data into out. Not connected is code 6 at once, and so is a drop while
// the reply is awaited, so callers (the outbox) do not wait out a timeout
// they could not win.
func (e *EngineConn) request(ctx context.Context, kind string, req, out any) error {
	what := "gateway " + e.gw + " " + kind
	drop := e.drops.current()
	nc := e.conn()
	if nc == nil || !nc.IsConnected() {
		return codes.New(codes.NoWebSer, "%s: not connected to the platform", what)
	}
	data, err := encodeRequest(req)
	if err != nil {
		return codes.New(codes.ArgError, "%s: request does not encode: %v", what, err)
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	ctx, stop := cancelOnDrop(ctx, drop)
	defer stop()
	msg, err := nc.RequestWithContext(ctx, Subject(e.gw, kind), data)
	if err != nil {
		if isClosed(drop) {
			return codes.New(codes.NoWebSer, "%s: the connection dropped before the reply", what)
		}
		return requestError(what, err, codes.NoWebSer)
	}
	return decodeReply(what, msg.Data, out)
}

// encodeRequest is json.Marshal, except that a request encoding itself is
// asked directly: json.Marshal re-scans a Marshaler's output to validate
// and compact it, which for a batch of thousands of samples cost more CPU
// than the encoding itself, on the engine's hottest path.
func encodeRequest(req any) ([]byte, error) {
	if m, ok := req.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(req)
}

// decodeReply unpacks a Reply: a non-zero code is returned as its error,
// success data is decoded into out.
func decodeReply(what string, data []byte, out any) error {
	var r Reply
	if err := json.Unmarshal(data, &r); err != nil {
		return codes.New(codes.Unknown, "%s: reply does not decode: %v", what, err)
	}
	if err := r.Err(); err != nil {
		return err
	}
	if out == nil || len(r.Data) == 0 || string(r.Data) == "null" {
		return nil
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return codes.New(codes.Unknown, "%s: reply data does not decode: %v", what, err)
	}
	return nil
}

// withDeadline gives ctx the default request timeout unless it has one.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, defaultRequestTimeout)
}
