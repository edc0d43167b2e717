// Package bus is the only package that knows NATS. It embeds nats-server,
// authenticates engines as their gateways, enforces per-gateway permissions
// and carries the messages below between engines and the platform.
//
// Subjects (gw is the 32-hex gateway ID; the permissions of a gateway's
// connection allow exactly its own):
//
//	iotos.gw.<gw>.up.batch     engine → platform, request: a Batch; reply: Reply{Data: Ack}
//	iotos.gw.<gw>.up.status    engine → platform, publish: Status
//	iotos.gw.<gw>.req.table    engine → platform, request: {}; reply: Reply{Data: TableIndex}
//	iotos.gw.<gw>.req.device   engine → platform, request: DeviceReq; reply: Reply{Data: DeviceTable}
//	iotos.gw.<gw>.req.values   engine → platform, request: ValuesReq; reply: Reply{Data: []model.Sample}
//	iotos.gw.<gw>.cmd.write    platform → engine, request: WriteCmd; reply: the driver's envelope
//	iotos.gw.<gw>.cmd.read     platform → engine, request: ReadCmd; reply: Reply{Data: model.Sample}
//	iotos.gw.<gw>.cmd.broadcast platform → engine, request: BroadcastCmd; reply: Reply{Data: map[dev]Reply}
//	iotos.gw.<gw>.cmd.collect  platform → engine, request: CollectCmd; reply: Reply
//	iotos.gw.<gw>.cmd.browse   platform → engine, request: BrowseCmd; reply: Reply{Data: []driver.BrowseNode}
//	iotos.gw.<gw>.cmd.reload   platform → engine, publish: ReloadCmd
//
// Engines use the inbox prefix _INBOX.<gw> so their replies cannot be read
// by other gateways.
package bus

import (
	"encoding/json"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

const subjectRoot = "iotos.gw."

// Subject kinds.
const (
	KindBatch     = "up.batch"
	KindStatus    = "up.status"
	KindTable     = "req.table"
	KindDevice    = "req.device"
	KindValues    = "req.values"
	KindWrite     = "cmd.write"
	KindRead      = "cmd.read"
	KindBroadcast = "cmd.broadcast"
	KindCollect   = "cmd.collect"
	KindBrowse    = "cmd.browse"
	KindReload    = "cmd.reload"
)

// Subject returns the subject of one kind of message for a gateway.
func Subject(gw, kind string) string { return subjectRoot + gw + "." + kind }

// InboxPrefix is a gateway's reply inbox prefix.
func InboxPrefix(gw string) string { return "_INBOX." + gw }

// Reply is the envelope on the bus, with data kept raw so a driver's reply
// passes through unchanged.
type Reply struct {
	Code codes.Code      `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
}

// Err returns nil for a success reply and the reply as a *codes.Error otherwise.
func (r Reply) Err() error {
	if r.Code == codes.Success {
		return nil
	}
	var data any
	if len(r.Data) > 0 {
		data = r.Data
	}
	return &codes.Error{Code: r.Code, Msg: r.Msg, Data: data}
}

// ReplyOf builds a Reply from data (success) or err.
func ReplyOf(data any, err error) Reply {
	if err != nil {
		e := codes.From(err)
		r := Reply{Code: e.Code, Msg: e.Msg}
		if e.Data != nil {
			r.Data, _ = json.Marshal(e.Data)
		}
		return r
	}
	raw, merr := json.Marshal(data)
	if merr != nil {
		return Reply{Code: codes.Unknown, Msg: "reply does not encode: " + merr.Error()}
	}
	return Reply{Code: codes.Success, Msg: "ok", Data: raw}
}

// Batch is a group of samples from one engine, the unit of delivery and of
// deduplication: (gateway, Epoch, Seq) is stored once by the platform.
type Batch struct {
	Epoch   string       `json:"e"`
	Seq     uint64       `json:"n"`
	Samples []WireSample `json:"s"`
}

// WireSample is a sample on the bus. P is "dev.pt" inside the gateway.
type WireSample struct {
	P string         `json:"p"`
	V any            `json:"v,omitempty"`
	T int64          `json:"t"`           // Unix ms
	Q driver.Quality `json:"q,omitempty"` // empty = good
	C int            `json:"c,omitempty"` // error code of a bad sample
}

// Ack acknowledges a batch as durably stored.
type Ack struct {
	Seq       uint64 `json:"n"`
	Duplicate bool   `json:"dup,omitempty"`
	Dropped   int    `json:"dropped,omitempty"` // samples of unknown points, counted and dropped
}

// Status is an engine's periodic report.
type Status struct {
	Epoch         string         `json:"epoch"`
	Version       string         `json:"version"`
	Devices       []DeviceStatus `json:"devices"`
	OutboxBatches int64          `json:"outbox_batches"`
	OutboxBytes   int64          `json:"outbox_bytes"`
	OutboxDropped int64          `json:"outbox_dropped"`
}

// DeviceStatus is one device's state in a Status.
type DeviceStatus struct {
	ID        string `json:"id"`
	Online    bool   `json:"online"`
	Paused    bool   `json:"paused,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

// TableIndex lists a gateway's devices with their table versions.
type TableIndex struct {
	Devices []DeviceVersion `json:"devices"`
}

// DeviceVersion is a device ID and the version hash of its table.
type DeviceVersion struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// DeviceReq asks for one device's table.
type DeviceReq struct {
	ID string `json:"id"`
}

// DeviceTable is one device's table as engines receive it.
type DeviceTable struct {
	Device  model.Device  `json:"device"`
	Points  []model.Point `json:"points"`
	Version string        `json:"version"`
	// ParentConfig is the inherited driver config (the parent chain merged),
	// so the engine does not need the parent device.
	ParentConfig json.RawMessage `json:"parent_config,omitempty"`
}

// ValuesReq asks the platform for current samples; IDs are "dev.pt".
type ValuesReq struct {
	IDs []string `json:"ids"`
}

// WriteCmd asks the engine to write one point. TimeoutMS is the caller's
// remaining budget as a duration, never a wall-clock time.
type WriteCmd struct {
	Point     string `json:"point"` // "dev.pt"
	Value     any    `json:"value"` // already converted to the point's type
	TimeoutMS int64  `json:"timeout_ms"`
	User      string `json:"user,omitempty"`
}

// ReadCmd asks the engine for a synchronous read through the driver.
type ReadCmd struct {
	Point     string `json:"point"` // "dev.pt"
	TimeoutMS int64  `json:"timeout_ms"`
}

// BroadcastCmd goes to every driver of the gateway.
type BroadcastCmd struct {
	From      string          `json:"from,omitempty"` // "user:<name>"
	Type      string          `json:"type"`
	Data      json.RawMessage `json:"data"`
	TimeoutMS int64           `json:"timeout_ms"`
}

// CollectCmd controls a device's collection: pause, resume or reset.
type CollectCmd struct {
	Device    string `json:"device"`
	Action    string `json:"action"`
	TimeoutMS int64  `json:"timeout_ms"`
}

// BrowseCmd asks a device's driver to list its address space (see
// driver.Browser): the children of Root, Depth levels deep.
type BrowseCmd struct {
	Device    string `json:"device"`
	Root      string `json:"root,omitempty"`
	Depth     int    `json:"depth,omitempty"`
	TimeoutMS int64  `json:"timeout_ms"`
}

// ReloadCmd tells the engine which devices' tables changed (empty = check all).
type ReloadCmd struct {
	Devices []string `json:"devices,omitempty"`
}

// batchJSON and wireSampleJSON are Batch and WireSample without their
// methods: the fallbacks below hand them to encoding/json, whose result the
// fast paths reproduce exactly.
type (
	batchJSON      Batch
	wireSampleJSON WireSample
)

// MarshalJSON encodes the batch exactly as encoding/json encodes its fields.
// Batches are nearly all of the bus traffic, and the reflective encoder was
// a measurable share of ingest CPU; values of unusual types take the
// reflective path, so the output never differs.
func (b Batch) MarshalJSON() ([]byte, error) {
	if out, ok := appendBatch(make([]byte, 0, 48+64*len(b.Samples)), &b); ok {
		return out, nil
	}
	return json.Marshal(batchJSON(b))
}

// MarshalJSON encodes the sample exactly as encoding/json encodes its fields.
func (s WireSample) MarshalJSON() ([]byte, error) {
	if out, ok := appendSample(make([]byte, 0, 64), &s); ok {
		return out, nil
	}
	return json.Marshal(wireSampleJSON(s))
}

// UnmarshalJSON decodes a batch with the result encoding/json gives. The
// fast path reads the form engines send (known keys, unescaped strings,
// scalar values) into a zero batch; any other input, including invalid
// JSON and a non-zero receiver (which encoding/json merges into), goes to
// encoding/json, so the accepted inputs and their results are the same.
func (b *Batch) UnmarshalJSON(data []byte) error {
	if b.Epoch == "" && b.Seq == 0 && b.Samples == nil {
		d := jsonReader{data: data}
		var out Batch
		if d.batch(&out) && d.end() {
			*b = out
			return nil
		}
	}
	return json.Unmarshal(data, (*batchJSON)(b))
}

// UnmarshalJSON decodes a sample with the result encoding/json gives; see
// Batch.UnmarshalJSON.
func (s *WireSample) UnmarshalJSON(data []byte) error {
	if s.P == "" && s.V == nil && s.T == 0 && s.Q == "" && s.C == 0 {
		d := jsonReader{data: data}
		var out WireSample
		if d.sample(&out) && d.end() {
			*s = out
			return nil
		}
	}
	return json.Unmarshal(data, (*wireSampleJSON)(s))
}
