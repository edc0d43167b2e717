package outbox

import (
	"sync"
	"testing"
	"time"
)

func TestBufferBlocksThenDropsOldestWhenNobodyTakes(t *testing.T) {
	var b buffer
	b.init(10)
	if n, lost := b.add(makeSamples(0, 8), time.Hour); n != 8 || lost != 0 {
		t.Fatalf("add under the limit: %d buffered, %d lost", n, lost)
	}
	// Over the limit with no flusher: waits the bound, then drops the oldest.
	n, lost := b.add(makeSamples(8, 5), 20*time.Millisecond)
	if n != 10 || lost != 3 {
		t.Fatalf("add over the limit: %d buffered, %d lost; want 10 and 3", n, lost)
	}
	got := b.take()
	if got[0].T != 3 || got[len(got)-1].T != 12 {
		t.Errorf("kept T %d..%d, want the newest 3..12", got[0].T, got[len(got)-1].T)
	}
}

func TestBufferWaitsForTakeInsteadOfDropping(t *testing.T) {
	var b buffer
	b.init(10)
	b.add(makeSamples(0, 10), time.Hour)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-b.kick // the blocked add asks for a flush
		b.take()
	}()
	n, lost := b.add(makeSamples(10, 5), time.Hour)
	wg.Wait()
	if n != 5 || lost != 0 {
		t.Errorf("after a take: %d buffered, %d lost; want 5 and 0", n, lost)
	}
}

func TestBufferClosedRejects(t *testing.T) {
	var b buffer
	b.init(10)
	b.close()
	if _, lost := b.add(makeSamples(0, 4), time.Hour); lost != 4 {
		t.Errorf("closed buffer lost %d of 4", lost)
	}
}
