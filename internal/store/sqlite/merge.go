package sqlite

import (
	"encoding/binary"
	"math"
)

// chunkBuilder merges staged chunks of one point into compacted chunks by
// transcoding: each sample's timestamp is re-based and its seq written out,
// and the rest of its bytes is copied, so compaction never builds Go values.
type chunkBuilder struct {
	body         []byte
	out          []byte
	n            int
	tsMin, tsMax int64
	prevTS       int64
	prevSeq      uint64
	flush        func(data []byte, n int, tsMin, tsMax int64) error
}

// merge writes parts (in ingest order) as chunks of up to maxChunkSamples.
func (b *chunkBuilder) merge(parts []stagedPart) error {
	b.reset()
	for _, p := range parts {
		if err := b.add(p); err != nil {
			return err
		}
	}
	if b.n > 0 {
		return b.emit()
	}
	return nil
}

func (b *chunkBuilder) reset() {
	b.body, b.n, b.prevTS, b.prevSeq = b.body[:0], 0, 0, 0
	b.tsMin, b.tsMax = math.MaxInt64, math.MinInt64
}

func (b *chunkBuilder) add(p stagedPart) error {
	r := chunkReader{b: p.chunk}
	n := r.uvarint()
	var ts int64
	for i := uint64(0); i < n && r.err == nil; i++ {
		h := r.byte()
		ts += r.varint()
		tail := r.b
		r.skipTail(h)
		if r.err != nil {
			break
		}
		seq := p.base | i
		b.body = append(b.body, h)
		b.body = binary.AppendVarint(b.body, ts-b.prevTS)
		b.body = binary.AppendUvarint(b.body, seq-b.prevSeq)
		b.body = append(b.body, tail[:len(tail)-len(r.b)]...)
		b.prevTS, b.prevSeq, b.n = ts, seq, b.n+1
		b.tsMin, b.tsMax = min(b.tsMin, ts), max(b.tsMax, ts)
		if b.n == maxChunkSamples {
			if err := b.emit(); err != nil {
				return err
			}
		}
	}
	return r.err
}

// emit hands the current chunk to flush and starts a new one.
func (b *chunkBuilder) emit() error {
	b.out = binary.AppendUvarint(b.out[:0], uint64(b.n))
	b.out = append(b.out, b.body...)
	err := b.flush(b.out, b.n, b.tsMin, b.tsMax)
	b.reset()
	return err
}

// skipTail steps over what follows a sample's timestamp (and seq): quality
// text, code and value.
func (r *chunkReader) skipTail(h byte) {
	if h>>qualityBits&0x03 == qualityOther {
		r.bytes()
	}
	if h&hasCodeBit != 0 {
		r.varint()
	}
	switch h & kindMask {
	case kindNil:
	case kindBool:
		r.byte()
	case kindInt:
		r.varint()
	case kindFloat:
		if len(r.b) < 8 {
			r.err = errCorruptChunk
			return
		}
		r.b = r.b[8:]
	case kindString:
		r.bytes()
	default:
		r.err = errCorruptChunk
	}
}
