package outbox

import (
	"sync"
	"testing"
	"time"
)

// TestFastAddsShareOneAppend: samples arriving faster than the tick must
// not cost an append (a transaction and an fsync) per full batch. With the
// tick far away, nothing is appended until half the buffer's bound waits,
// and then one append carries all of it.
func TestFastAddsShareOneAppend(t *testing.T) {
	const maxBatch = 20
	var mu sync.Mutex
	var appends [][2]uint64
	o, err := open(t.TempDir(), Options{MaxBatch: maxBatch, FlushInterval: time.Hour}, func(first, last uint64) {
		mu.Lock()
		appends = append(appends, [2]uint64{first, last})
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	halfBound := pendingFactor / 2 // batches
	want := maxBatch * halfBound
	for i := 0; i < want; i += maxBatch / 2 {
		o.Add(makeSamples(i, maxBatch/2))
		time.Sleep(2 * time.Millisecond) // room for an early append to show
	}
	waitFor(t, "an append once half the bound waits", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(appends) > 0
	})
	mu.Lock()
	first := appends[0]
	mu.Unlock()
	if batches := first[1] - first[0] + 1; batches != uint64(halfBound) {
		t.Fatalf("first append wrote seqs %d..%d: want all %d samples in %d batches at once", first[0], first[1], want, halfBound)
	}
}
