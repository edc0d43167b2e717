package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
)

func init() { benchScenarios["sustain"] = benchSustain }

// benchSustain offers ingest a fixed rate for a long time (DESIGN.md §9:
// ≥ 250,000 samples/s sustained for 10 minutes, lag bounded). Unlike
// `bench ingest`, which sends as fast as acknowledgements come back, the
// offered load here does not slow down when the platform does: batches are
// due on a schedule, and a batch's lag is its acknowledgement time minus
// the time it was due, so a platform that falls behind shows a growing lag.
func benchSustain(ctx context.Context, args []string) error {
	fs := newFlags("bench sustain", "bench sustain [flags]")
	b := &ingestBench{}
	fs.IntVar(&b.devices, "devices", 10, "devices in the gateway")
	fs.IntVar(&b.points, "points", 100, "points per device")
	fs.IntVar(&b.batch, "batch", 1000, "samples per batch")
	fs.IntVar(&b.window, "window", 16, "batches in flight at most")
	offered := fs.Int("rate", 250000, "samples/s offered")
	fs.DurationVar(&b.duration, "duration", 10*time.Minute, "how long the rate is offered")
	every := fs.Duration("report", time.Minute, "one line per this much time")
	baseFor := fs.Duration("baseline", 5*time.Second, "worth of samples (at --rate) for the raw SQLite baseline")
	maxLag := fs.Duration("max-lag", 5*time.Second, "the lag bound the verdict checks")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *offered < b.batch || *every <= 0 {
		return usageError{errors.New("--rate must be at least --batch samples/s and --report positive")}
	}
	dir, err := os.MkdirTemp("", "iotos-bench-sustain-")
	if err != nil {
		return err
	}
	b.dir = dir
	defer os.RemoveAll(dir)
	if err := b.start(ctx); err != nil {
		return err
	}
	defer b.stop()

	fmt.Printf("offering %d samples/s for %v: gateway of %d points, batches of %d, at most %d in flight\n\n",
		*offered, b.duration, b.devices*b.points, b.batch, b.window)
	s := newSustainRun(b, *offered, *every)
	if err := s.run(ctx); err != nil {
		return err
	}
	base, err := b.baseline(ctx, int64(float64(*offered)*baseFor.Seconds()))
	if err != nil {
		return err
	}
	return s.verdict(base, *maxLag)
}

// sustainRun is the schedule, the senders and the per-interval tallies.
type sustainRun struct {
	b       *ingestBench
	offered int
	every   time.Duration

	mu        sync.Mutex
	intervals []sustainInterval
	cur       sustainInterval
	allLag    latencies
	behind    atomic.Int64 // batches due but not yet handed to a sender
}

// sustainInterval is one reporting period.
type sustainInterval struct {
	start   time.Time
	end     time.Time
	samples int64
	lag     latencies
	queued  int64 // batches waiting for a sender at the end of the interval
	rssMiB  float64
}

func newSustainRun(b *ingestBench, offered int, every time.Duration) *sustainRun {
	return &sustainRun{b: b, offered: offered, every: every}
}

// run offers the rate for the bench's duration and waits for the last
// acknowledgement.
func (s *sustainRun) run(ctx context.Context) error {
	type due struct {
		batch bus.Batch
		at    time.Time
	}
	// The queue holds what the senders have not taken yet: up to a minute
	// of load, so a platform that falls behind shows as lag, not as a
	// producer that slows down.
	queue := make(chan due, max(1, s.offered*60/s.b.batch))
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	for range s.b.window {
		wg.Go(func() {
			for d := range queue {
				s.behind.Add(-1)
				if _, err := s.b.link.SendBatch(ctx, d.batch); err != nil {
					errMu.Lock()
					firstErr = errors.Join(firstErr, err)
					errMu.Unlock()
					continue
				}
				s.acked(len(d.batch.Samples), time.Since(d.at))
			}
		})
	}

	start := time.Now()
	s.mu.Lock()
	s.cur = sustainInterval{start: start}
	s.mu.Unlock()
	perBatch := time.Duration(float64(time.Second) * float64(s.b.batch) / float64(s.offered))
	next, nextReport := start, start.Add(s.every)
	end := start.Add(s.b.duration)
	var err error
	for next.Before(end) {
		if ctx.Err() != nil {
			err = ctx.Err()
			break
		}
		if now := time.Now(); now.Before(next) {
			time.Sleep(next.Sub(now))
		}
		if !time.Now().Before(nextReport) {
			s.report(nextReport)
			nextReport = nextReport.Add(s.every)
		}
		s.behind.Add(1)
		select {
		case queue <- due{bus.Batch{Epoch: "bench-sustain", Seq: s.b.seq.Add(1), Samples: s.b.samples(s.b.batch)}, next}:
		default:
			s.behind.Add(-1)
			err = codes.New(codes.ArgError, "the platform fell a minute behind the offered %d samples/s", s.offered)
		}
		if err != nil {
			break
		}
		next = next.Add(perBatch)
	}
	close(queue)
	wg.Wait()
	s.report(time.Now())
	if err != nil {
		return err
	}
	return firstErr
}

func (s *sustainRun) acked(n int, lag time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur.samples += int64(n)
	s.cur.lag = append(s.cur.lag, lag)
	s.allLag = append(s.allLag, lag)
}

// report closes the current interval at t and prints it.
func (s *sustainRun) report(t time.Time) {
	s.mu.Lock()
	iv := s.cur
	s.cur = sustainInterval{start: t}
	s.mu.Unlock()
	iv.end, iv.queued, iv.rssMiB = t, s.behind.Load(), rssMiB()
	d := t.Sub(iv.start)
	if d <= 0 || iv.samples == 0 && len(s.intervals) > 0 && d < s.every/2 {
		return
	}
	s.intervals = append(s.intervals, iv)
	fmt.Printf("%8v  %10.0f samples/s  lag p50 %8v p99 %8v max %8v  queued %d batches  RSS %.0f MiB  load %s\n",
		t.Sub(s.intervals[0].start).Round(time.Second), float64(iv.samples)/d.Seconds(),
		iv.lag.percentile(50).Round(time.Millisecond), iv.lag.percentile(99).Round(time.Millisecond),
		iv.lag.percentile(100).Round(time.Millisecond), iv.queued, iv.rssMiB, benchLoadAverage())
}

// verdict prints the summary against the baseline and the targets: every
// full interval at ≥ 99% of the offered rate, and the lag bounded.
func (s *sustainRun) verdict(base measured, maxLag time.Duration) error {
	var total int64
	var elapsed time.Duration
	slowest := -1.0
	for _, iv := range s.intervals {
		total += iv.samples
		d := iv.end.Sub(iv.start)
		elapsed += d
		if d >= s.every*9/10 {
			r := float64(iv.samples) / d.Seconds()
			if slowest < 0 || r < slowest {
				slowest = r
			}
		}
	}
	mean := float64(total) / elapsed.Seconds()
	worst := s.allLag.percentile(100)
	fmt.Printf("\nstored %d samples in %v: %.0f samples/s on average, slowest full interval %.0f samples/s\n",
		total, elapsed.Round(time.Second), mean, slowest)
	fmt.Printf("lag over the run: p50 %v p99 %v max %v\n", s.allLag.percentile(50).Round(time.Millisecond),
		s.allLag.percentile(99).Round(time.Millisecond), worst.Round(time.Millisecond))
	fmt.Printf("baseline: raw SQLite batch inserts, same schema: %s samples/s (the offered rate is %.2f× of it)\n", rate(base), float64(s.offered)/base.perSec())
	var missed []string
	if slowest >= 0 && slowest < 0.99*float64(s.offered) {
		missed = append(missed, fmt.Sprintf("slowest interval %.0f samples/s (want ≥ 99%% of %d)", slowest, s.offered))
	}
	if worst > maxLag {
		missed = append(missed, fmt.Sprintf("lag reached %v (want ≤ %v)", worst.Round(time.Millisecond), maxLag))
	}
	if len(missed) > 0 {
		fmt.Printf("targets MISSED: %s\n", strings.Join(missed, "; "))
		return errors.New("sustain bench: targets missed: " + strings.Join(missed, "; "))
	}
	fmt.Printf("targets met: %d samples/s sustained, lag ≤ %v\n", s.offered, maxLag)
	return nil
}
