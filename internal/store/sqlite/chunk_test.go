package sqlite

import (
	"math"
	"testing"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// chunkCases is shared by the round-trip test and the fuzz seed corpus.
var chunkCases = map[string][]model.Sample{
	"empty":  nil,
	"floats": {{Value: 1.5, TS: 1000}, {Value: math.Inf(-1), TS: 999}, {Value: math.SmallestNonzeroFloat64, TS: 1 << 62}},
	"ints":   {{Value: int64(math.MinInt64), TS: math.MinInt64}, {Value: int64(math.MaxInt64), TS: math.MaxInt64}},
	"mixed": {
		{Value: true, TS: 5}, {Value: false, TS: 5}, {Value: "", TS: 6}, {Value: "ü", TS: -6},
		{Value: nil, TS: 7, Quality: driver.Bad, Code: 504}, {Value: 2.0, TS: 8, Quality: driver.Uncertain, Code: -1},
		{Value: int64(3), TS: 9, Quality: "stale"},
	},
}

func TestChunkRoundTrip(t *testing.T) {
	for name, samples := range chunkCases {
		for _, withSeq := range []bool{false, true} {
			in := make([]model.Sample, len(samples))
			for i, sm := range samples {
				in[i] = sm
				in[i].ID = "p"
				if in[i].Quality == "" {
					in[i].Quality = driver.Good
				}
				in[i].Seq = uint64(i) * 1_000_003
				if !withSeq {
					in[i].Seq = 40<<seqShift | uint64(i)
				}
			}
			data, _, _, err := encodeChunk(nil, in, withSeq)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out, err := decodeChunk(data, chunkRange{id: "p", from: minTS, to: maxTS}, withSeq, 40<<seqShift, nil)
			if err != nil {
				t.Fatalf("%s withSeq=%v: %v", name, withSeq, err)
			}
			if len(out) != len(in) {
				t.Fatalf("%s: %d samples back, want %d", name, len(out), len(in))
			}
			for i := range in {
				if out[i] != in[i] {
					t.Errorf("%s withSeq=%v sample %d = %+v, want %+v", name, withSeq, i, out[i], in[i])
				}
			}
		}
	}
}

func TestChunkRejects(t *testing.T) {
	if _, _, _, err := encodeChunk(nil, []model.Sample{{Value: []int{1}}}, false); err == nil {
		t.Error("encoded a value of type []int")
	}
	if _, _, _, err := encodeChunk(nil, []model.Sample{{Seq: 5}, {Seq: 4}}, true); err == nil {
		t.Error("encoded a decreasing seq")
	}
	good, _, _, _ := encodeChunk(nil, chunkCases["mixed"], false)
	for cut := 1; cut < len(good); cut++ {
		if _, err := decodeChunk(good[:cut], chunkRange{from: minTS, to: maxTS}, false, 0, nil); err == nil {
			t.Fatalf("decoded a chunk cut to %d of %d bytes", cut, len(good))
		}
	}
}

func TestStagedRowWalk(t *testing.T) {
	groups := []pointGroup{
		{id: "a", key: 3, samples: []model.Sample{{ID: "a", Value: 1.0, TS: 1, Quality: driver.Good}}},
		{id: "b", key: 300, samples: []model.Sample{{ID: "b", Value: "x", TS: 2, Quality: driver.Good}, {ID: "b", Value: "y", TS: 0, Quality: driver.Good}}},
	}
	data, lo, hi, err := encodeStaged(nil, groups)
	if err != nil || lo != 0 || hi != 2 {
		t.Fatalf("encodeStaged: range [%d, %d], err %v", lo, hi, err)
	}
	var ids []int64
	err = walkStaged(data, func(key int64, chunk []byte) error {
		ids = append(ids, key)
		return nil
	})
	if err != nil || len(ids) != 2 || ids[0] != 3 || ids[1] != 300 {
		t.Fatalf("walkStaged saw %v, err %v", ids, err)
	}
	if err := walkStaged(data[:len(data)-1], func(int64, []byte) error { return nil }); err == nil {
		t.Fatal("walkStaged accepted a truncated row")
	}
}

// FuzzDecodeChunk feeds arbitrary bytes to the decoders: they must fail
// cleanly, and whatever decodes must encode back to the same samples.
func FuzzDecodeChunk(f *testing.F) {
	for _, samples := range chunkCases {
		data, _, _, _ := encodeChunk(nil, samples, true)
		f.Add(data, true)
		data, _, _, _ = encodeChunk(nil, samples, false)
		f.Add(data, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, withSeq bool) {
		out, err := decodeChunk(data, chunkRange{id: "p", from: minTS, to: maxTS}, withSeq, 0, nil)
		_ = walkStaged(data, func(int64, []byte) error { return nil })
		if err != nil {
			return
		}
		again, _, _, err := encodeChunk(nil, out, withSeq)
		if err != nil {
			t.Fatalf("re-encoding decoded samples: %v", err)
		}
		back, err := decodeChunk(again, chunkRange{id: "p", from: minTS, to: maxTS}, withSeq, 0, nil)
		if err != nil || len(back) != len(out) {
			t.Fatalf("second decode: %d samples, err %v", len(back), err)
		}
		for i := range out {
			if !sameBits(back[i], out[i]) {
				t.Fatalf("sample %d: %+v then %+v", i, out[i], back[i])
			}
		}
	})
}

// sameBits compares samples, treating NaN floats by their bits.
func sameBits(a, b model.Sample) bool {
	fa, okA := a.Value.(float64)
	fb, okB := b.Value.(float64)
	if okA && okB {
		a.Value, b.Value = math.Float64bits(fa), math.Float64bits(fb)
	}
	return a == b
}

func TestRawInsertProbe(t *testing.T) {
	dir := t.TempDir()
	samples := benchSamples(5000)
	d, err := RawInsertProbe(testCtx(t), dir+"/probe.db", samples, 1000)
	if err != nil || d <= 0 {
		t.Fatalf("probe: %v, %v", d, err)
	}
	if _, err := RawInsertProbe(testCtx(t), dir+"/probe.db", samples, 1000); err == nil {
		t.Fatal("probe reused an existing database")
	}
	s, err := Open(testCtx(t), dir+"/probe.db", Options{})
	must(t, err)
	defer s.Close()
	var n int
	must(t, s.r.QueryRowContext(testCtx(t), `SELECT COALESCE(SUM(n), 0) FROM history_chunks`).Scan(&n))
	if n != len(samples) {
		t.Fatalf("probe stored %d samples in chunks, want %d", n, len(samples))
	}
	if n := count(t, s, "history_staged"); n != 0 {
		t.Fatalf("probe left %d staged rows", n)
	}
	got, _, err := s.QueryHistory(testCtx(t), store.HistoryQuery{ID: samples[7].ID, Limit: 10})
	must(t, err)
	if len(got) != 5 || got[0].Value != samples[7].Value || got[0].TS != samples[7].TS {
		t.Fatalf("history of a probed point: %+v", got)
	}
}
