package outbox

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

// Payloads are a compact binary form of []bus.WireSample rather than JSON:
// samples are encoded once on append and decoded once on send, and
// reflection-based JSON cost several times the CPU of this on the engine's
// hot path. Layout: version byte, uvarint count, then per sample
// str(P) varint(T) str(Q) varint(C) tag value, where str is uvarint length +
// bytes. Values keep their Go type where JSON would print them the same.
const payloadVersion = 1

// Value tags.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagInt     // varint
	tagUint    // uvarint, for values above MaxInt64
	tagFloat64 // 8 bytes, IEEE bits little endian
	tagFloat32 // 4 bytes, so it prints as the float32 it was
	tagString  // str
	tagJSON    // str holding the value's JSON (json.Number, maps, slices…)
)

// wireOverhead bounds the JSON of one sample around its P, Q and value:
// {"p":,"v":,"t":,"q":,"c":} is 26 bytes, T and C at most 20 each (the
// quotes of P and Q are counted by jsonStringLen).
const wireOverhead = 26 + 20 + 20

// encoded is one batch ready to be appended.
type encoded struct {
	n       int
	payload []byte
}

// encodeBatches cuts samples into batches of at most maxBatch samples whose
// JSON on the bus stays within maxPayload. Samples that cannot travel as
// JSON (a NaN, say) or could never fit in a bus message are left out and
// counted in lost, so one bad value never blocks the outbox.
func encodeBatches(samples []bus.WireSample, maxBatch int) (out []encoded, lost int) {
	var cur batchWriter
	for i := range samples {
		mark := len(cur.body)
		body, wire, ok := appendSample(cur.body, &samples[i])
		cur.body = body
		if !ok || wire > maxPayload {
			cur.body = cur.body[:mark]
			lost++
			continue
		}
		if cur.n == maxBatch || cur.wire+wire > maxPayload {
			out = append(out, cur.finish(mark))
		}
		cur.n++
		cur.wire += wire + 1 // the comma
	}
	if cur.n > 0 {
		out = append(out, cur.finish(len(cur.body)))
	}
	return out, lost
}

// batchWriter collects encoded samples for one batch.
type batchWriter struct {
	body []byte
	n    int
	wire int // JSON size bound of the samples so far
}

// finish returns the batch of the samples encoded before mark and keeps
// the bytes after it as the start of the next batch.
func (w *batchWriter) finish(mark int) encoded {
	payload := make([]byte, 0, mark+binary.MaxVarintLen64+1)
	payload = append(payload, payloadVersion)
	payload = binary.AppendUvarint(payload, uint64(w.n))
	payload = append(payload, w.body[:mark]...)
	e := encoded{n: w.n, payload: payload}
	w.body = append(w.body[:0], w.body[mark:]...)
	w.n, w.wire = 0, 0
	return e
}

// appendSample appends one sample's encoding and returns a bound on its
// JSON size; ok is false for a value that cannot be JSON.
func appendSample(b []byte, s *bus.WireSample) (body []byte, wire int, ok bool) {
	b = appendString(b, s.P)
	b = binary.AppendVarint(b, s.T)
	b = appendString(b, string(s.Q))
	b = binary.AppendVarint(b, int64(s.C))
	b, vwire, ok := appendValue(b, s.V)
	wire = wireOverhead + jsonStringLen(s.P) + jsonStringLen(string(s.Q)) + vwire
	return b, wire, ok
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendValue encodes v and bounds its JSON size.
func appendValue(b []byte, v any) ([]byte, int, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, tagNil), 4, true
	case bool:
		if x {
			return append(b, tagTrue), 4, true
		}
		return append(b, tagFalse), 5, true
	case string:
		return appendString(append(b, tagString), x), jsonStringLen(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return b, 0, false
		}
		b = binary.LittleEndian.AppendUint64(append(b, tagFloat64), math.Float64bits(x))
		return b, 32, true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return b, 0, false
		}
		b = binary.LittleEndian.AppendUint32(append(b, tagFloat32), math.Float32bits(x))
		return b, 32, true
	}
	if i, ok := asInt64(v); ok {
		return binary.AppendVarint(append(b, tagInt), i), 20, true
	}
	if u, ok := v.(uint64); ok {
		return binary.AppendUvarint(append(b, tagUint), u), 20, true
	}
	if u, ok := v.(uint); ok {
		return binary.AppendUvarint(append(b, tagUint), uint64(u)), 20, true
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return b, 0, false
	}
	return appendString(append(b, tagJSON), string(raw)), len(raw), true
}

// asInt64 widens the signed and small unsigned integer types.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// jsonStringLen bounds the size of s as a JSON string the way
// encoding/json writes it: quotes, two-byte escapes, \u00XX for control and
// HTML characters, \ufffd for invalid UTF-8, \u2028 and \u2029.
func jsonStringLen(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				n += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}

// errPayload reports a payload that does not decode.
var errPayload = errors.New("malformed payload")

// decodeBatch turns a stored payload back into samples.
func decodeBatch(seq uint64, payload []byte) ([]bus.WireSample, error) {
	d := decoder{b: payload}
	if d.next() != payloadVersion {
		return nil, fmt.Errorf("batch %d: %w: unknown version", seq, errPayload)
	}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(payload)) {
		return nil, fmt.Errorf("batch %d: %w: bad count", seq, errPayload)
	}
	samples := make([]bus.WireSample, n)
	for i := range samples {
		d.sample(&samples[i])
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, fmt.Errorf("batch %d: %w", seq, errPayload)
	}
	return samples, nil
}

// decoder reads a payload; the first error sticks and yields zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) sample(s *bus.WireSample) {
	s.P = d.string()
	s.T = d.varint()
	s.Q = driver.Quality(d.string())
	s.C = int(d.varint())
	s.V = d.value()
}

func (d *decoder) value() any {
	switch tag := d.next(); tag {
	case tagNil:
		return nil
	case tagFalse:
		return false
	case tagTrue:
		return true
	case tagInt:
		return d.varint()
	case tagUint:
		return d.uvarint()
	case tagFloat64:
		return math.Float64frombits(binary.LittleEndian.Uint64(d.take(8)))
	case tagFloat32:
		return math.Float32frombits(binary.LittleEndian.Uint32(d.take(4)))
	case tagString:
		return d.string()
	case tagJSON:
		return json.RawMessage(d.string())
	default:
		d.fail()
		return nil
	}
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errPayload
	}
	d.b = nil
}

func (d *decoder) next() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0xff
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// take returns the next n bytes, or zeros after a failure.
func (d *decoder) take(n int) []byte {
	if len(d.b) < n {
		d.fail()
		return make([]byte, n)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) varint() int64 {
	v, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	return string(d.take(int(n)))
}
