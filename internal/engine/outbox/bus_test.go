package outbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// storingPlatform is a platform handler that deduplicates by batch key, the
// way ingest does, and keeps what it stored.
type storingPlatform struct {
	mu      sync.Mutex
	keys    map[string]bool
	batches []bus.Batch
}

func (p *storingPlatform) Batch(_ context.Context, gw string, b bus.Batch) (bus.Ack, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := fmt.Sprintf("%s/%s/%d", gw, b.Epoch, b.Seq)
	if p.keys[key] {
		return bus.Ack{Seq: b.Seq, Duplicate: true}, nil
	}
	p.keys[key] = true
	p.batches = append(p.batches, b)
	return bus.Ack{Seq: b.Seq}, nil
}

func (p *storingPlatform) stored() []bus.Batch {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bus.Batch(nil), p.batches...)
}

func (p *storingPlatform) Status(string, bus.Status) {}
func (p *storingPlatform) TableIndex(context.Context, string) (bus.TableIndex, error) {
	return bus.TableIndex{}, nil
}
func (p *storingPlatform) DeviceTable(context.Context, string, string) (bus.DeviceTable, error) {
	return bus.DeviceTable{}, codes.New(codes.DeviceNotExist, "no devices")
}
func (p *storingPlatform) Values(context.Context, string, []string) ([]model.Sample, error) {
	return nil, nil
}

// TestDeliversOverTheRealBus runs the outbox against the embedded NATS
// router and a deduplicating platform, dropping the engine's connection
// midway: every sample is stored exactly once.
func TestDeliversOverTheRealBus(t *testing.T) {
	const gw, key = "0123456789abcdef0123456789abcdef", "secret-key"
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := bus.NewServer(bus.ServerOptions{Logger: quiet, Authenticate: func(g, k string) error {
		if g == gw && k == key {
			return nil
		}
		return codes.New(codes.AccountNotRegister, "gateway key rejected")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	pl, err := srv.PlatformLink()
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	platform := &storingPlatform{keys: map[string]bool{}}
	if err := pl.Serve(platform); err != nil {
		t.Fatal(err)
	}
	link, err := srv.EngineLinkInProcess(gw, key, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer link.Close()

	o := openT(t, t.TempDir(), Options{MaxBatch: 500, FlushInterval: 5e6})
	defer o.Close()
	stop := runT(t, o, link)
	const rounds, perRound = 40, 500
	for r := range rounds {
		o.Add(makeSamples(r*perRound, perRound))
		if r == rounds/2 {
			srv.DisconnectGateway(gw)
		}
	}
	waitFor(t, "empty backlog", func() bool {
		b, _, _ := o.Backlog()
		return b == 0 && o.Stats().Buffered == 0
	})
	stop()
	st := o.Stats()
	t.Logf("sent %d, acked %d, duplicates %d, failures %d", st.Sent, st.Acked, st.Duplicates, st.Failures)
	ts := timestampsBySeq(platform.stored())
	if len(ts) != rounds*perRound {
		t.Fatalf("platform stored %d samples, want %d", len(ts), rounds*perRound)
	}
	for i, v := range ts {
		if v != int64(i) {
			t.Fatalf("stored sample %d has T %d", i, v)
		}
	}
}
