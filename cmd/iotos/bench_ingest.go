package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/engine/outbox"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/platform"
	"github.com/iotos/iotos/internal/store/sqlite"
)

func init() { benchScenarios["ingest"] = benchIngest }

// ingestBench is one run of `iotos bench ingest`: a platform in this
// process, an engine link over loopback TCP NATS, and a gateway of points.
type ingestBench struct {
	devices, points, batch, window int
	duration                       time.Duration
	dir                            string
	p                              *platform.Platform
	gw                             string
	link                           bus.EngineLink
	ids                            []string // "dev.pt"
	seq                            atomic.Uint64
	ts                             atomic.Int64
}

func benchIngest(ctx context.Context, args []string) error {
	fs := newFlags("bench ingest", "bench ingest [flags]")
	b := &ingestBench{}
	fs.IntVar(&b.devices, "devices", 10, "devices in the gateway")
	fs.IntVar(&b.points, "points", 100, "points per device")
	fs.IntVar(&b.batch, "batch", 1000, "samples per batch")
	fs.IntVar(&b.window, "window", 8, "batches in flight at once")
	fs.DurationVar(&b.duration, "duration", 10*time.Second, "how long each phase runs")
	backlog := fs.Duration("backlog", 60*time.Second, "outage to replay in the drain phase, at --live-rate")
	liveRate := fs.Int("live-rate", 10000, "samples/s of the engine during the simulated outage")
	keep := fs.Bool("keep", false, "keep the data directory")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	dir, err := os.MkdirTemp("", "iotos-bench-ingest-")
	if err != nil {
		return err
	}
	b.dir = dir
	if !*keep {
		defer os.RemoveAll(dir)
	}
	if err := b.start(ctx); err != nil {
		return err
	}
	defer b.stop()

	fmt.Printf("gateway of %d points, batches of %d samples, %d in flight, %v per phase\n\n", b.devices*b.points, b.batch, b.window, b.duration)
	direct, lat, err := b.direct(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("engine → NATS → platform → SQLite history (no outbox): %s samples/s; ack latency p50 %v p99 %v\n",
		rate(direct), lat.percentile(50).Round(time.Microsecond), lat.percentile(99).Round(time.Microsecond))
	viaOutbox, err := b.throughOutbox(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("the same through the engine's durable outbox:          %s samples/s (%.2f× without)\n", rate(viaOutbox), viaOutbox.perSec()/direct.perSec())
	drainN := int(backlog.Seconds()) * *liveRate
	drain, err := b.drain(ctx, drainN)
	if err != nil {
		return err
	}
	fmt.Printf("draining a %v backlog at %d samples/s (%d samples):    %v (%s samples/s)\n", *backlog, *liveRate, drainN, drain.elapsed.Round(time.Millisecond), rate(drain))
	base, err := b.baseline(ctx, direct.samples)
	if err != nil {
		return err
	}
	fmt.Printf("baseline: raw SQLite batch inserts, same schema:       %s samples/s\n", rate(base))
	fmt.Printf("\nratio ingest/baseline: %.2f (target ≥ 0.5 now, 0.7 final); RSS %.0f MiB\n", direct.perSec()/base.perSec(), rssMiB())
	return nil
}

// measured is a count of samples over a time.
type measured struct {
	samples int64
	elapsed time.Duration
}

func (m measured) perSec() float64 { return float64(m.samples) / m.elapsed.Seconds() }

func rate(m measured) string { return fmt.Sprintf("%10.0f", m.perSec()) }

func (b *ingestBench) start(ctx context.Context) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := platform.Start(ctx, platform.Config{
		DataDir: filepath.Join(b.dir, "platform"), HTTP: "127.0.0.1:0", NATS: "127.0.0.1:0",
		AdminPassword: "bench-admin-password", Logger: log, Out: io.Discard,
	})
	if err != nil {
		return err
	}
	b.p = p
	gw, err := p.App().CreateGateway(ctx, app.System, app.GatewayInput{Name: "bench"})
	if err != nil {
		return err
	}
	b.gw = gw.ID
	table, ids := benchTable(b.devices, b.points)
	if _, err := p.App().ImportTable(ctx, app.System, gw.ID, table, false); err != nil {
		return fmt.Errorf("bench table: %w", err)
	}
	b.ids = ids
	b.link, err = bus.DialEngine(ctx, bus.EngineOptions{URL: p.Bus().ClientURL(), Gateway: gw.ID, Key: gw.Key, Logger: log})
	if err != nil {
		return err
	}
	b.ts.Store(time.Now().Add(-24 * time.Hour).UnixMilli())
	return waitConnected(ctx, b.link)
}

func (b *ingestBench) stop() {
	if b.link != nil {
		_ = b.link.Close()
	}
	if b.p != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.p.Shutdown(sctx)
	}
}

func waitConnected(ctx context.Context, link bus.EngineLink) error {
	deadline := time.Now().Add(10 * time.Second)
	for !link.Connected() {
		if time.Now().After(deadline) {
			return errors.New("the bench engine did not connect within 10 s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// benchTable is a .tb table of INT points and their "dev.pt" IDs.
func benchTable(devices, points int) ([]byte, []string) {
	props := map[string]any{}
	var ids []string
	for d := 0; d < devices; d++ {
		dev := fmt.Sprintf("%08x", d+1)
		data := map[string]any{}
		for p := 0; p < points; p++ {
			pt := fmt.Sprintf("%04x", p+1)
			data[pt] = map[string]any{"name": "p" + pt, "valuetype": "INT", "readwrite": "1", "refreshcycle": "0"}
			ids = append(ids, dev+"."+pt)
		}
		props[dev] = map[string]any{"name": "d" + dev, "config": map[string]any{"driver": "simulator", "param": map[string]any{}}, "data": data}
	}
	raw, _ := json.Marshal(map[string]any{"name": "bench", "properties": props})
	return raw, ids
}

// samples makes n samples over the gateway's points with increasing ts.
func (b *ingestBench) samples(n int) []bus.WireSample {
	out := make([]bus.WireSample, n)
	ts := b.ts.Add(1)
	for i := range out {
		out[i] = bus.WireSample{P: b.ids[i%len(b.ids)], V: int64(i), T: ts}
		if (i+1)%len(b.ids) == 0 {
			ts = b.ts.Add(1)
		}
	}
	return out
}

// direct sends batches straight over the link, window at a time, and
// counts what the platform acknowledged as stored.
func (b *ingestBench) direct(ctx context.Context) (measured, latencies, error) {
	ctx, cancel := context.WithTimeout(ctx, b.duration)
	defer cancel()
	var (
		acked    atomic.Int64
		mu       sync.Mutex
		lat      latencies
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < b.window; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine latencies
			for ctx.Err() == nil {
				batch := bus.Batch{Epoch: "bench-direct", Seq: b.seq.Add(1), Samples: b.samples(b.batch)}
				t0 := time.Now()
				if _, err := b.link.SendBatch(context.Background(), batch); err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
				acked.Add(int64(len(batch.Samples)))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return measured{acked.Load(), time.Since(start)}, lat, firstErr
}

// throughOutbox feeds an outbox as fast as it delivers (keeping a bounded
// backlog) and counts what the platform stored.
func (b *ingestBench) throughOutbox(ctx context.Context) (measured, error) {
	ob, err := b.openOutbox("outbox-live", outbox.Options{MaxBatch: b.batch, Window: b.window})
	if err != nil {
		return measured{}, err
	}
	defer ob.Close()
	before := b.p.App().IngestStats().Samples
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ob.Run(runCtx, b.link) }()
	start := time.Now()
	for time.Since(start) < b.duration && ctx.Err() == nil {
		if batches, _, _ := ob.Backlog(); batches > int64(4*b.window) {
			time.Sleep(time.Millisecond)
			continue
		}
		ob.Add(b.samples(b.batch))
	}
	stored := b.p.App().IngestStats().Samples - before
	elapsed := time.Since(start)
	stopRun()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return measured{}, err
	}
	if _, _, dropped := ob.Backlog(); dropped > 0 {
		return measured{}, fmt.Errorf("the outbox dropped %d samples during the bench", dropped)
	}
	return measured{stored, elapsed}, nil
}

// drain fills an outbox while the link is not used (an outage), then times
// the replay until every sample is stored.
func (b *ingestBench) drain(ctx context.Context, n int) (measured, error) {
	ob, err := b.openOutbox("outbox-drain", outbox.Options{MaxBatch: b.batch, Window: b.window, MaxBytes: 4 << 30})
	if err != nil {
		return measured{}, err
	}
	defer ob.Close()
	for added := 0; added < n; added += b.batch {
		ob.Add(b.samples(min(b.batch, n-added)))
		for ob.Stats().Buffered > int64(8*b.batch) {
			time.Sleep(time.Millisecond) // let the flusher persist; the link is not running
		}
	}
	// Run flushes the last buffered samples before sending.
	before := b.p.App().IngestStats().Samples
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- ob.Run(runCtx, b.link) }()
	for b.p.App().IngestStats().Samples-before < int64(n) {
		if ctx.Err() != nil {
			stopRun()
			return measured{}, ctx.Err()
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	stopRun()
	<-done
	return measured{int64(n), elapsed}, nil
}

func (b *ingestBench) openOutbox(name string, opts outbox.Options) (*outbox.Outbox, error) {
	dir := filepath.Join(b.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return outbox.Open(dir, opts)
}

// baseline writes n samples with the raw SQLite probe on the same schema.
func (b *ingestBench) baseline(ctx context.Context, n int64) (measured, error) {
	n = max(n, int64(b.batch))
	samples := make([]model.Sample, n)
	ts := time.Now().UnixMilli()
	for i := range samples {
		samples[i] = model.Sample{ID: b.gw + "." + b.ids[i%len(b.ids)], Value: int64(i), TS: ts + int64(i/len(b.ids)), Quality: "good"}
	}
	d, err := sqlite.RawInsertProbe(ctx, filepath.Join(b.dir, "probe.db"), samples, b.batch)
	if err != nil {
		return measured{}, err
	}
	return measured{n, d}, nil
}
