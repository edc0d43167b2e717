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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/platform"
)

func init() { benchScenarios["stream"] = benchStream }

// streamBench measures the live stream (DESIGN.md §9): points changing at
// 1 Hz, fed through a real engine link into ingest, pushed to WebSocket
// clients that each watch a slice of them.
type streamBench struct {
	points, clients, perClient int
	duration                   time.Duration
	ticks                      int // feed batches per second

	dir          string
	p            *platform.Platform
	ownsPlatform bool
	gw           string
	link         bus.EngineLink
	ids          []string // "dev.pt"
	token        string
	seq          atomic.Uint64
	sent         []atomic.Int64 // samples sent per point
}

// streamClientStats is what one client saw.
type streamClientStats struct {
	received, dropped int64
	arrivals          [][2]int64 // per sample: its ts (send ms), receipt ms
}

func benchStream(ctx context.Context, args []string) error {
	fs := newFlags("bench stream", "bench stream [flags]")
	b := &streamBench{ticks: 10}
	fs.IntVar(&b.points, "points", 10000, "points, each changing once a second")
	fs.IntVar(&b.clients, "clients", 50, "WebSocket clients")
	fs.IntVar(&b.perClient, "per-client", 1000, "points each client subscribes to")
	fs.DurationVar(&b.duration, "duration", 20*time.Second, "length of each phase")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err}
	}
	if b.points < b.ticks || b.perClient > b.points || b.clients < 1 {
		return usageError{errors.New("need points ≥ 10, 1 ≤ per-client ≤ points, clients ≥ 1")}
	}
	dir, err := os.MkdirTemp("", "iotos-bench-stream-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.dir = dir
	if err := b.start(ctx); err != nil {
		return err
	}
	defer b.stop()
	fmt.Printf("# %d points at 1 Hz (%d batches/s through a real engine link), %d clients × %d points, %s per phase\n",
		b.points, b.ticks, b.clients, b.perClient, b.duration)
	return b.run(ctx)
}

// streamResult is what a run measured.
type streamResult struct {
	base, stream                 latencies
	baseOverruns, streamOverruns int
	expected, received, dropped  int64
}

// silent counts samples neither delivered nor reported as dropped.
func (r streamResult) silent() int64 { return r.expected - r.received - r.dropped }

func (b *streamBench) run(ctx context.Context) error {
	r, err := b.measure(ctx)
	if err != nil {
		return err
	}
	r.print(os.Stdout)
	return nil
}

func (b *streamBench) measure(ctx context.Context) (streamResult, error) {
	var r streamResult
	stats, overruns, err := b.streamPhase(ctx)
	if err != nil {
		return r, err
	}
	r.streamOverruns = overruns
	for _, s := range stats {
		for _, a := range s.arrivals {
			r.stream = append(r.stream, time.Duration(a[1]-a[0])*time.Millisecond)
		}
		r.received += s.received
		r.dropped += s.dropped
	}
	r.expected = b.expected()
	// The baseline replaces the stream's ingest hook, so it runs last.
	r.base, r.baseOverruns, err = b.baselinePhase(ctx)
	return r, err
}

func (r streamResult) print(w io.Writer) {
	fmt.Fprintf(w, "baseline  ingest→hook lag, no clients: p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d samples, %d feed overruns)\n",
		ms(r.base.percentile(50)), ms(r.base.percentile(99)), ms(r.base.percentile(100)), len(r.base), r.baseOverruns)
	fmt.Fprintf(w, "stream    ingest→client lag:           p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d feed overruns)\n",
		ms(r.stream.percentile(50)), ms(r.stream.percentile(99)), ms(r.stream.percentile(100)), r.streamOverruns)
	fmt.Fprintf(w, "stream    samples: expected %d, received %d, dropped and reported %d, silent drops %d\n",
		r.expected, r.received, r.dropped, r.silent())
	fmt.Fprintf(w, "stream    p99 / baseline p99: %.1fx\n", ms(r.stream.percentile(99))/max(ms(r.base.percentile(99)), 1))
	verdict := "PASS"
	if r.stream.percentile(99) >= 250*time.Millisecond || r.silent() != 0 {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "target p99 < 250 ms and 0 silent drops: %s (RSS %.0f MiB)\n", verdict, rssMiB())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (b *streamBench) start(ctx context.Context) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	const password = "bench-admin-password"
	p, err := platform.Start(ctx, platform.Config{
		DataDir: filepath.Join(b.dir, "platform"), HTTP: "127.0.0.1:0", NATS: "127.0.0.1:0",
		AdminPassword: password, Logger: log, Out: io.Discard,
	})
	if err != nil {
		return err
	}
	b.p, b.ownsPlatform = p, true
	token, _, err := p.App().Login(ctx, "admin", password, "127.0.0.1")
	if err != nil {
		return err
	}
	return b.setup(ctx, p, token, log)
}

// setup creates the bench's gateway and table on a running platform and
// connects its engine link; token authenticates the clients.
func (b *streamBench) setup(ctx context.Context, p *platform.Platform, token string, log *slog.Logger) error {
	b.p, b.token = p, token
	gw, err := p.App().CreateGateway(ctx, app.System, app.GatewayInput{Name: "bench-stream"})
	if err != nil {
		return err
	}
	b.gw = gw.ID
	devices := (b.points + 999) / 1000
	table, ids := benchTable(devices, 1000)
	if _, err := p.App().ImportTable(ctx, app.System, gw.ID, table, false); err != nil {
		return fmt.Errorf("bench table: %w", err)
	}
	b.ids = ids[:b.points]
	b.sent = make([]atomic.Int64, b.points)
	b.link, err = bus.DialEngine(ctx, bus.EngineOptions{URL: p.Bus().ClientURL(), Gateway: gw.ID, Key: gw.Key, Logger: log})
	if err != nil {
		return err
	}
	return waitConnected(ctx, b.link)
}

func (b *streamBench) stop() {
	if b.link != nil {
		_ = b.link.Close()
	}
	if b.p != nil && b.ownsPlatform {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.p.Shutdown(sctx)
	}
}

// feed sends every point once a second, a slice per tick, stamped with the
// send time, until ctx ends. It returns the ticks that started late
// because the previous batch was still being acknowledged.
func (b *streamBench) feed(ctx context.Context, count bool) (int, error) {
	t := time.NewTicker(time.Second / time.Duration(b.ticks))
	defer t.Stop()
	per := b.points / b.ticks
	overruns, tick := 0, 0
	for {
		select {
		case <-ctx.Done():
			return overruns, nil
		case due := <-t.C:
			if time.Since(due) > time.Second/time.Duration(b.ticks) {
				overruns++
			}
			if err := b.sendSlice(ctx, tick%b.ticks*per, per, count); err != nil {
				if ctx.Err() != nil {
					return overruns, nil
				}
				return overruns, err
			}
			tick++
		}
	}
}

func (b *streamBench) sendSlice(ctx context.Context, from, n int, count bool) error {
	now := time.Now().UnixMilli()
	samples := make([]bus.WireSample, n)
	for i := range samples {
		samples[i] = bus.WireSample{P: b.ids[from+i], V: now, T: now}
	}
	batch := bus.Batch{Epoch: "bench-stream", Seq: b.seq.Add(1), Samples: samples}
	// Not the feed's context: a batch cut off when the phase ends could be
	// stored yet uncounted, and the count must be exact.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := b.link.SendBatch(sctx, batch); err != nil {
		return fmt.Errorf("send batch %d: %w", batch.Seq, err)
	}

	if count {
		for i := range samples {
			b.sent[from+i].Add(1)
		}
	}
	return nil
}

// watched is the slice of points client i subscribes to (full IDs); the
// slices wrap around, so each point has clients×perClient/points watchers.
func (b *streamBench) watched(i int) []int {
	out := make([]int, b.perClient)
	for j := range out {
		out[j] = (i*b.perClient + j) % b.points
	}
	return out
}

func (b *streamBench) expected() int64 {
	var n int64
	for i := 0; i < b.clients; i++ {
		for _, pt := range b.watched(i) {
			n += b.sent[pt].Load()
		}
	}
	return n
}

// streamPhase connects the clients, feeds for the duration, then waits for
// the clients to catch up with everything sent.
func (b *streamBench) streamPhase(ctx context.Context) ([]*streamClientStats, int, error) {
	conns, err := b.connectAll(ctx)
	if err != nil {
		return nil, 0, err
	}
	stats := make([]*streamClientStats, len(conns))
	rctx, stopReading := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, c := range conns {
		stats[i] = &streamClientStats{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			readStream(rctx, c, stats[i])
		}()
	}
	fctx, cancel := context.WithTimeout(ctx, b.duration)
	overruns, err := b.feed(fctx, true)
	cancel()
	b.drain(ctx, stats)
	stopReading()
	wg.Wait()
	for _, c := range conns {
		_ = c.Close(websocket.StatusNormalClosure, "")
	}
	return stats, overruns, err
}

// drain waits (at most 10 s) until every client has received or been told
// about everything sent for its points.
func (b *streamBench) drain(ctx context.Context, stats []*streamClientStats) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var got int64
		for _, s := range stats {
			got += atomic.LoadInt64(&s.received) + atomic.LoadInt64(&s.dropped)
		}
		if got >= b.expected() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *streamBench) connectAll(ctx context.Context) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, 0, b.clients)
	for i := 0; i < b.clients; i++ {
		c, err := b.connect(ctx, i)
		if err != nil {
			for _, c := range conns {
				c.CloseNow()
			}
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
		conns = append(conns, c)
	}
	return conns, nil
}

// connect opens a stream, subscribes by message (as the console does) and
// waits for the snapshot of its points.
func (b *streamBench) connect(ctx context.Context, i int) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.p.URL(), "http") + "/api/v1/stream?token=" + b.token
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(64 << 20)
	if _, err := readFrameType(ctx, c, "snapshot"); err != nil {
		return nil, err
	}
	ids := make([]string, 0, b.perClient)
	for _, pt := range b.watched(i) {
		ids = append(ids, b.gw+"."+b.ids[pt])
	}
	msg, _ := json.Marshal(map[string]any{"type": "subscribe", "ids": ids})
	if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, err
	}
	n, err := readFrameType(ctx, c, "snapshot")
	if err != nil {
		return nil, err
	}
	if n != b.perClient {
		return nil, fmt.Errorf("snapshot of %d points, want %d", n, b.perClient)
	}
	return c, nil
}

type benchFrame struct {
	Type  string         `json:"type"`
	Count int64          `json:"count"`
	Data  []model.Sample `json:"data"`
}

func readFrameType(ctx context.Context, c *websocket.Conn, want string) (int, error) {
	_, raw, err := c.Read(ctx)
	if err != nil {
		return 0, err
	}
	var f benchFrame
	if err := json.Unmarshal(raw, &f); err != nil || f.Type != want {
		return 0, fmt.Errorf("want a %s frame, got %.120s", want, raw)
	}
	return len(f.Data), nil
}

// readStream counts samples and their lag (receipt time − the send time
// stamped in ts) until ctx ends.
func readStream(ctx context.Context, c *websocket.Conn, s *streamClientStats) {
	for {
		_, raw, err := c.Read(ctx)
		if err != nil {
			return
		}
		now := time.Now().UnixMilli()
		var f benchFrame
		if json.Unmarshal(raw, &f) != nil {
			continue
		}
		switch f.Type {
		case "samples":
			for _, x := range f.Data {
				s.arrivals = append(s.arrivals, [2]int64{x.TS, now})
			}
			atomic.AddInt64(&s.received, int64(len(f.Data)))
		case "dropped":
			atomic.AddInt64(&s.dropped, f.Count)
		}
	}
}

// baselinePhase feeds the same load with no clients and measures the lag
// from send to the ingest hook, where the stream starts.
func (b *streamBench) baselinePhase(ctx context.Context) (latencies, int, error) {
	var (
		mu   sync.Mutex
		lags latencies
	)
	b.p.App().SetOnSamples(func(samples []model.Sample) {
		now := time.Now().UnixMilli()
		mu.Lock()
		for _, s := range samples {
			lags = append(lags, time.Duration(now-s.TS)*time.Millisecond)
		}
		mu.Unlock()
	})
	fctx, cancel := context.WithTimeout(ctx, b.duration)
	defer cancel()
	overruns, err := b.feed(fctx, false)
	b.p.App().SetOnSamples(nil)
	mu.Lock()
	defer mu.Unlock()
	return lags, overruns, err
}
