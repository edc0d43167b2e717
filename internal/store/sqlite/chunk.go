package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/pkg/driver"
)

// A chunk is samples of one point in ingest order:
//
//	uvarint n
//	n × { header byte: kind (bits 0-2) | quality (bits 3-4) | has code (bit 5)
//	      zigzag varint ts − previous ts (the first from 0)
//	      [uvarint seq − previous seq, in compacted chunks only]
//	      [uvarint len + quality text when quality is "other"]
//	      [zigzag varint code when has code]
//	      value: bool 1 byte | int zigzag varint | float 8 bytes LE | string uvarint len + bytes }
//
// Delta timestamps make a typical sample 3–11 bytes. Inside a staged batch
// the seq is implied (staged row ID << seqShift | index); compaction writes it
// out because a compacted chunk mixes batches.
const (
	qualityGood byte = iota
	qualityBad
	qualityUncertain
	qualityOther
)

const (
	kindMask    = 0x07
	qualityBits = 3
	hasCodeBit  = 1 << 5
)

// seqShift packs (staged row ID, index among the point's samples in that
// batch) into Sample.Seq, so equal timestamps sort in ingest order.
// maxGroupSamples keeps the index in range; maxChunkSamples bounds a chunk
// row so a query near its edge decodes little.
const (
	seqShift        = 20
	maxGroupSamples = 1 << seqShift
	maxChunkSamples = 4096
)

var errCorruptChunk = errors.New("corrupt history chunk")

// encodeChunk appends the encoding of samples to buf, writing each Seq when
// withSeq is set, and returns it with the samples' time range.
func encodeChunk(buf []byte, samples []model.Sample, withSeq bool) (out []byte, tsMin, tsMax int64, err error) {
	buf = binary.AppendUvarint(buf, uint64(len(samples)))
	tsMin, tsMax = math.MaxInt64, math.MinInt64
	var prevTS int64
	var prevSeq uint64
	for i := range samples {
		sm := &samples[i]
		seqDelta := -1 // none
		if withSeq {
			if sm.Seq < prevSeq {
				return nil, 0, 0, fmt.Errorf("sample %s at %d: seq %d after %d", sm.ID, sm.TS, sm.Seq, prevSeq)
			}
			seqDelta = int(sm.Seq - prevSeq)
		}
		if buf, err = encodeSample(buf, sm, prevTS, seqDelta); err != nil {
			return nil, 0, 0, fmt.Errorf("sample %s at %d: %w", sm.ID, sm.TS, err)
		}
		prevTS, prevSeq = sm.TS, sm.Seq
		tsMin, tsMax = min(tsMin, sm.TS), max(tsMax, sm.TS)
	}
	return buf, tsMin, tsMax, nil
}

// encodeSample appends one sample; seqDelta < 0 leaves the seq out.
func encodeSample(buf []byte, sm *model.Sample, prevTS int64, seqDelta int) ([]byte, error) {
	kind, v, err := normalize(sm.Value)
	if err != nil {
		return nil, err
	}
	q := qualityCode(sm.Quality)
	h := kind | q<<qualityBits
	if sm.Code != 0 {
		h |= hasCodeBit
	}
	buf = append(buf, h)
	buf = binary.AppendVarint(buf, sm.TS-prevTS)
	if seqDelta >= 0 {
		buf = binary.AppendUvarint(buf, uint64(seqDelta))
	}
	if q == qualityOther {
		buf = appendString(buf, string(sm.Quality))
	}
	if sm.Code != 0 {
		buf = binary.AppendVarint(buf, int64(sm.Code))
	}
	return appendValue(buf, kind, v), nil
}

func appendValue(buf []byte, kind byte, v any) []byte {
	switch kind {
	case kindBool:
		return append(buf, byte(v.(int64)))
	case kindInt:
		return binary.AppendVarint(buf, v.(int64))
	case kindFloat:
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(v.(float64)))
	case kindString:
		return appendString(buf, v.(string))
	}
	return buf
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func qualityCode(q driver.Quality) byte {
	switch q {
	case driver.Good:
		return qualityGood
	case driver.Bad:
		return qualityBad
	case driver.Uncertain:
		return qualityUncertain
	}
	return qualityOther
}

var qualities = [...]driver.Quality{qualityGood: driver.Good, qualityBad: driver.Bad, qualityUncertain: driver.Uncertain}

// chunkRange selects what decodeChunk keeps.
type chunkRange struct {
	id       string // full ID given to the samples
	from, to int64  // inclusive ts bounds
}

// decodeChunk appends the chunk's samples with from ≤ ts ≤ to to out. With
// withSeq the chunk carries each Seq; otherwise Seq is base|index.
func decodeChunk(data []byte, r chunkRange, withSeq bool, base uint64, out []model.Sample) ([]model.Sample, error) {
	cr := chunkReader{b: data}
	n := cr.uvarint()
	if cr.err != nil || n > maxGroupSamples {
		return out, errCorruptChunk
	}
	var ts int64
	var seq uint64
	for i := uint64(0); i < n; i++ {
		sm, err := cr.sample(ts, withSeq)
		if err != nil {
			return out, err
		}
		ts = sm.TS
		if withSeq {
			seq += sm.Seq
		} else {
			seq = base | i
		}
		if ts >= r.from && ts <= r.to {
			sm.ID, sm.Seq = r.id, seq
			out = append(out, sm)
		}
	}
	return out, nil
}

// chunkReader walks an encoded chunk; the first error sticks.
type chunkReader struct {
	b   []byte
	err error
}

// sample decodes one sample; with withSeq its Seq holds the seq delta.
func (r *chunkReader) sample(prevTS int64, withSeq bool) (model.Sample, error) {
	var sm model.Sample
	h := r.byte()
	sm.TS = prevTS + r.varint()
	if withSeq {
		sm.Seq = r.uvarint()
	}
	q := h >> qualityBits & 0x03
	if q == qualityOther {
		sm.Quality = driver.Quality(r.string())
	} else {
		sm.Quality = qualities[q]
	}
	if h&hasCodeBit != 0 {
		sm.Code = int(r.varint())
	}
	sm.Value = r.value(h & kindMask)
	return sm, r.err
}

func (r *chunkReader) value(kind byte) any {
	switch kind {
	case kindNil:
		return nil
	case kindBool:
		return r.byte() != 0
	case kindInt:
		return r.varint()
	case kindFloat:
		if len(r.b) < 8 {
			r.err = errCorruptChunk
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
		r.b = r.b[8:]
		return f
	case kindString:
		return r.string()
	}
	r.err = errCorruptChunk
	return nil
}

func (r *chunkReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errCorruptChunk
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *chunkReader) uvarint() uint64 {
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = errCorruptChunk
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *chunkReader) varint() int64 {
	v, k := binary.Varint(r.b)
	if k <= 0 {
		r.err = errCorruptChunk
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *chunkReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errCorruptChunk
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *chunkReader) string() string { return string(r.bytes()) }
