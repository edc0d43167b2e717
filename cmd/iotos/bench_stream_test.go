package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/platform"
)

// testBenchStreamSmall runs the stream benchmark at a small scale and checks
// its accounting: every sample sent to a watched point is received or
// reported dropped, and lags were measured in both phases.
func testBenchStreamSmall(t *testing.T, p *platform.Platform, token string) {
	b := &streamBench{ticks: 10, points: 200, clients: 4, perClient: 100, duration: 1500 * time.Millisecond, dir: t.TempDir()}
	ctx := context.Background()
	if err := b.setup(ctx, p, token, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	defer b.stop()
	r, err := b.measure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.expected == 0 || r.received+r.dropped != r.expected || r.silent() != 0 {
		t.Fatalf("expected %d, received %d, dropped %d", r.expected, r.received, r.dropped)
	}
	if int64(len(r.stream)) != r.received || len(r.base) == 0 {
		t.Fatalf("lags: stream %d (received %d), baseline %d", len(r.stream), r.received, len(r.base))
	}
	var out bytes.Buffer
	r.print(&out)
	if !strings.Contains(out.String(), "silent drops 0") {
		t.Fatalf("report:\n%s", out.String())
	}
}
