package app

import (
	"fmt"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
)

// TestHubWakesAfterTheWholePublish: a subscriber woken by a Publish finds
// all of its samples queued, so one frame carries a whole ingest batch.
func TestHubWakesAfterTheWholePublish(t *testing.T) {
	h := NewHub(HubOptions{})
	defer h.Close()
	sub := h.Subscribe(StreamFilter{Gateway: gwA})
	defer sub.Close()
	const n = 999 // below the batch size, which wakes on its own
	batch := make([]model.Sample, n)
	for i := range batch {
		batch[i] = sampleOf(gwA, dev1, fmt.Sprintf("%04x", i), int64(i))
	}
	for round := range 20 {
		got := make(chan int, 1)
		go func() {
			select {
			case <-sub.Wake():
				s, _ := sub.Take()
				got <- len(s)
			case <-time.After(10 * time.Second):
				got <- -1
			}
		}()
		h.Publish(batch)
		if k := <-got; k != n {
			t.Fatalf("round %d: woken with %d of %d samples queued", round, k, n)
		}
	}
}
