package sqlite

import (
	"encoding/binary"
	"math"
)

// A staged batch is every point's chunk of one Ingest in a single row:
//
//	uvarint groups
//	groups × { uvarint point key, uvarint len + chunk (without seqs) }
//
// Point keys (not full IDs) keep a 1,000-point batch small in the WAL; the
// chunk length lets a query skip other points' samples undecoded.
func encodeStaged(buf []byte, groups []pointGroup) (data []byte, tsMin, tsMax int64, err error) {
	buf = binary.AppendUvarint(buf, uint64(len(groups)))
	tsMin, tsMax = math.MaxInt64, math.MinInt64
	var chunk []byte
	for _, g := range groups {
		var lo, hi int64
		if chunk, lo, hi, err = encodeChunk(chunk[:0], g.samples, false); err != nil {
			return nil, 0, 0, err
		}
		buf = binary.AppendUvarint(buf, uint64(g.key))
		buf = binary.AppendUvarint(buf, uint64(len(chunk)))
		buf = append(buf, chunk...)
		tsMin, tsMax = min(tsMin, lo), max(tsMax, hi)
	}
	return buf, tsMin, tsMax, nil
}

// walkStaged calls fn with each point's key and chunk.
func walkStaged(data []byte, fn func(key int64, chunk []byte) error) error {
	r := chunkReader{b: data}
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		key := r.uvarint()
		chunk := r.bytes()
		if r.err != nil {
			break
		}
		if err := fn(int64(key), chunk); err != nil {
			return err
		}
	}
	return r.err
}
