package bus

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// ackOnly acknowledges every batch without storing it, so the benchmark
// measures the bus: encoding, the router and the reply path.
type ackOnly struct{ *fakePlatform }

func (ackOnly) Batch(_ context.Context, _ string, b Batch) (Ack, error) { return Ack{Seq: b.Seq}, nil }

// BenchmarkSendBatch measures engine → platform delivery of acknowledged
// batches over loopback TCP, with several batches in flight as the outbox
// sends them.
func BenchmarkSendBatch(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("samples=%d", size), func(b *testing.B) {
			keys := newKeyring()
			s, err := NewServer(ServerOptions{Listen: "127.0.0.1:-1", Authenticate: keys.check, Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Shutdown()
			pl, err := s.PlatformLink()
			if err != nil {
				b.Fatal(err)
			}
			defer pl.Close()
			if err := pl.Serve(ackOnly{newFakePlatform()}); err != nil {
				b.Fatal(err)
			}
			link, err := DialEngine(context.Background(), EngineOptions{URL: s.ClientURL(), Gateway: gwA, Key: "key-a", Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer link.Close()
			batch := Batch{Epoch: "bench", Samples: make([]WireSample, size)}
			now := time.Now().UnixMilli()
			for i := range batch.Samples {
				batch.Samples[i] = WireSample{P: fmt.Sprintf("%08x.%04x", i/100, i%100), V: float64(i), T: now}
			}
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := link.SendBatch(context.Background(), batch); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
