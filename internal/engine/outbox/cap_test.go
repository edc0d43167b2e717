package outbox

import (
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/bus"
)

// paddedSamples are makeSamples with a 100-byte string value, to fill the
// cap quickly.
func paddedSamples(first, n int) []bus.WireSample {
	out := makeSamples(first, n)
	pad := strings.Repeat("x", 100)
	for i := range out {
		out[i].V = pad
	}
	return out
}

func TestCapDropsOldestAndCountsExactly(t *testing.T) {
	const limit = 1 << 20
	o := openT(t, t.TempDir(), Options{MaxBytes: limit, MaxBatch: 100, FlushInterval: 5e6})
	defer o.Close()
	link := newFakeLink(false)
	stop := runT(t, o, link)

	const rounds, perRound = 300, 100 // about 4 MiB of payload against a 1 MiB cap
	var largest int64
	for r := range rounds {
		o.Add(paddedSamples(r*perRound, perRound))
		if err := o.flush(); err != nil {
			t.Fatalf("flush: %v", err)
		}
		o.flushMu.Lock() // no append in progress while measuring
		size := diskBytes(o.dir)
		o.flushMu.Unlock()
		largest = max(largest, size)
		if size > limit*105/100 {
			t.Fatalf("round %d: disk %d bytes, over the cap %d + 5%%", r, size, limit)
		}
	}
	t.Logf("largest disk use %d bytes for a cap of %d; dropped %d samples", largest, limit, o.Stats().Dropped)
	if o.Stats().Dropped == 0 {
		t.Fatal("nothing dropped though the payload is four times the cap")
	}

	link.setUp(true)
	waitFor(t, "drained", func() bool { b, _, _ := o.Backlog(); return b == 0 })
	stop()

	total := rounds * perRound
	delivered := timestampsBySeq(link.batches())
	if got := int64(len(delivered)) + o.Stats().Dropped; got != int64(total) {
		t.Fatalf("delivered %d + dropped %d = %d, want every one of %d samples accounted for",
			len(delivered), o.Stats().Dropped, got, total)
	}
	assertOneGapEndingAtNewest(t, delivered, total)
}

// assertOneGapEndingAtNewest checks that delivered samples are unique and
// ascending, that the newest sample arrived, and that the drops form one
// run: the oldest batches not yet handed to the link.
func assertOneGapEndingAtNewest(t *testing.T, ts []int64, total int) {
	t.Helper()
	gaps := 0
	for i := 1; i < len(ts); i++ {
		switch {
		case ts[i] <= ts[i-1]:
			t.Fatalf("sample %d delivered after %d", ts[i], ts[i-1])
		case ts[i] != ts[i-1]+1:
			gaps++
		}
	}
	if gaps > 1 {
		t.Errorf("%d gaps in the delivered samples; dropping oldest-first leaves one", gaps)
	}
	if len(ts) == 0 || ts[len(ts)-1] != int64(total-1) {
		t.Errorf("the newest sample was not delivered")
	}
}

func TestCapReclaimsFreePagesBeforeDropping(t *testing.T) {
	const limit = 512 << 10
	o := openT(t, t.TempDir(), Options{MaxBytes: limit, MaxBatch: 100, FlushInterval: 5e6})
	defer o.Close()
	link := newFakeLink(true)
	stop := runT(t, o, link)
	defer stop()
	// Delivered data leaves free pages behind; they must be reused or
	// reclaimed, never paid for by dropping live samples.
	for r := range 200 {
		o.Add(paddedSamples(r*100, 100))
		waitFor(t, "delivery", func() bool { return link.sampleCount() == (r+1)*100 })
	}
	if d := o.Stats().Dropped; d != 0 {
		t.Fatalf("dropped %d samples although everything was delivered", d)
	}
	if size := diskBytes(o.dir); size > limit*105/100 {
		t.Errorf("disk %d bytes over the cap %d + 5%%", size, limit)
	}
}
