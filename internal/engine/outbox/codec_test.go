package outbox

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/pkg/driver"
)

func TestEncodeSplitsByCountAndSize(t *testing.T) {
	batches, lost := encodeBatches(makeSamples(0, 2500), 1000)
	if lost != 0 || len(batches) != 3 || batches[0].n != 1000 || batches[2].n != 500 {
		t.Fatalf("2500 samples at 1000 a batch: %d batches, %d lost", len(batches), lost)
	}
	big := make([]bus.WireSample, 40)
	for i := range big {
		big[i] = bus.WireSample{P: "a.b", V: strings.Repeat("y", 30<<10), T: int64(i)}
	}
	batches, lost = encodeBatches(big, 1000)
	total := 0
	for _, b := range batches {
		if len(b.payload) > maxPayload {
			t.Errorf("batch of %d bytes exceeds %d", len(b.payload), maxPayload)
		}
		total += b.n
	}
	if lost != 0 || total != 40 || len(batches) < 2 {
		t.Errorf("1.2 MB of samples: %d batches, %d samples, %d lost", len(batches), total, lost)
	}
}

func TestEncodeLeavesOutWhatCannotTravel(t *testing.T) {
	in := makeSamples(0, 5)
	in[1].V = math.NaN()                           // JSON has no NaN
	in[3].V = strings.Repeat("z", maxPayload+1024) // never fits on the bus
	batches, lost := encodeBatches(in, 100)
	if lost != 2 {
		t.Fatalf("lost %d, want 2", lost)
	}
	n := 0
	for _, b := range batches {
		out, err := decodeBatch(1, b.payload)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out {
			if s.T == 1 || s.T == 3 {
				t.Errorf("sample %d should have been left out", s.T)
			}
			n++
		}
	}
	if n != 3 {
		t.Errorf("kept %d samples, want 3", n)
	}
}

// sampleGen draws samples with every kind of value a driver reports.
func sampleGen() *rapid.Generator[bus.WireSample] {
	value := rapid.OneOf(
		rapid.Just[any](nil),
		rapid.Map(rapid.Bool(), func(b bool) any { return b }),
		rapid.Map(rapid.Int64(), func(i int64) any { return i }),
		rapid.Map(rapid.Int(), func(i int) any { return i }),
		rapid.Map(rapid.Uint64(), func(u uint64) any { return u }),
		rapid.Map(rapid.Float64(), func(f float64) any { return f }),
		rapid.Map(rapid.Float32(), func(f float32) any { return f }),
		rapid.Map(rapid.String(), func(s string) any { return s }),
		rapid.Map(rapid.SliceOfBytesMatching(".*"), func(b []byte) any { return string(b) }),
		rapid.Map(rapid.Int64(), func(i int64) any { return json.Number(fmt.Sprint(i)) }),
		rapid.Map(rapid.MapOf(rapid.String(), rapid.Int()), func(m map[string]int) any { return m }),
	)
	return rapid.Custom(func(t *rapid.T) bus.WireSample {
		return bus.WireSample{
			P: rapid.String().Draw(t, "p"),
			V: value.Draw(t, "v"),
			T: rapid.Int64().Draw(t, "t"),
			Q: driver.Quality(rapid.SampledFrom([]string{"", "good", "bad", "uncertain"}).Draw(t, "q")),
			C: rapid.Int().Draw(t, "c"),
		}
	})
}

// TestPayloadTravelsAsTheSameJSON: whatever the outbox stores, the bus
// carries exactly the JSON the engine's samples would have produced, and
// the size bound used to cut batches is never below the real size.
func TestPayloadTravelsAsTheSameJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.SliceOfN(sampleGen(), 0, 50).Draw(t, "samples")
		var travelable []bus.WireSample
		for _, s := range in {
			if _, err := json.Marshal(s); err == nil {
				travelable = append(travelable, s)
			}
		}
		batches, lost := encodeBatches(in, 7)
		if lost != len(in)-len(travelable) {
			t.Fatalf("lost %d, want %d", lost, len(in)-len(travelable))
		}
		var out []bus.WireSample
		for i, b := range batches {
			got, err := decodeBatch(uint64(i), b.payload)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != b.n || b.n > 7 {
				t.Fatalf("batch of %d samples claims %d", len(got), b.n)
			}
			out = append(out, got...)
		}
		want, _ := json.Marshal(travelable)
		got, err := json.Marshal(out)
		if err != nil || string(got) != string(want) {
			t.Fatalf("bus JSON differs:\n got %s (%v)\nwant %s", got, err, want)
		}
		for _, s := range travelable {
			one, _ := json.Marshal(s)
			if _, bound, _ := appendSample(nil, &s); bound < len(one) {
				t.Fatalf("size bound %d below the real %d for %s", bound, len(one), one)
			}
		}
	})
}

func FuzzDecodeBatch(f *testing.F) {
	batches, _ := encodeBatches(makeSamples(0, 3), 10)
	f.Add(batches[0].payload)
	f.Add([]byte{payloadVersion, 200})
	f.Fuzz(func(t *testing.T, payload []byte) {
		samples, err := decodeBatch(1, payload)
		if err != nil {
			return
		}
		again, _ := encodeBatches(samples, len(samples)+1)
		if len(samples) > 0 && len(again) == 0 {
			t.Fatalf("decoded samples do not encode again")
		}
	})
}

func TestJSONStringLenBoundsEscapes(t *testing.T) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&</a>", "tab\there\n", "\xff\xfe bad utf8", "line\u2028sep\u2029", "héllo wörld ✓", `back\slash`} {
		real, _ := json.Marshal(s)
		if got := jsonStringLen(s); got < len(real) {
			t.Errorf("jsonStringLen(%q) = %d, below the real %d", s, got, len(real))
		}
	}
}
