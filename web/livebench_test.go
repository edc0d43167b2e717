package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/bus"
)

const (
	benchDevices = 10
	benchPerDev  = 1000
	// measureFor is how long the live view is observed once warm.
	measureFor = 5 * time.Second
)

// TestLiveViewTenThousandPoints opens the live view of a gateway whose
// 10,000 points all change every second. The samples enter through the
// platform's ingest as an engine's batches would; the engine itself is left
// out because this measures what the stream and the browser do with them. It checks that the grid is
// virtualised (a few dozen rows in the page, not 10,000) and still shows
// the right value after a jump, and reports the browser-side numbers: the
// age of samples when their frame arrives (platform and network, the
// baseline) and when they are on screen, and frame times. The numbers are
// logged, never asserted: the machines are shared.
func TestLiveViewTenThousandPoints(t *testing.T) {
	p := startPlatform(t)
	ctx := context.Background()
	gw, err := p.App().CreateGateway(ctx, app.System, app.GatewayInput{Name: "plant-10k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.App().ImportTable(ctx, app.System, gw.ID, tenThousandTable(), false); err != nil {
		t.Fatal(err)
	}
	feed(t, p.App(), gw.ID)

	bctx := browser(t)
	shots := newShots(t, "live-10k")
	login(t, bctx, shots, p.URL(), "admin", adminPassword)
	step(t, bctx, shots, "open the live view",
		chromedp.Navigate(p.URL()+"/#/live/"+gw.ID),
		chromedp.WaitVisible(css(`#live [data-point]`)))
	waitFor(t, bctx, shots, "every point streaming", fmt.Sprintf(`window.iotosLive && window.iotosLive.samples >= %d`, 2*benchDevices*benchPerDev))

	rendered, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('#live [data-point]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if rendered == 0 || rendered > 200 {
		t.Fatalf("%d rows in the page for %d points; the grid must render only what is in view", rendered, benchDevices*benchPerDev)
	}
	far := fmt.Sprintf("%s.%08x.%04x", gw.ID, benchDevices, benchPerDev-1)
	step(t, bctx, shots, "jump to the last point",
		chromedp.SendKeys(css(`input[type=search]`), fmt.Sprintf("dev%02d.pt%04d", benchDevices, benchPerDev-1)))
	waitFor(t, bctx, shots, "far point shows a value", fmt.Sprintf(`/^\d/.test(document.querySelector('[data-point=%q]')?.textContent || '')`, far))

	if _, err := chromedp.Run(bctx, chromedp.Evaluate[any](`window.iotosLive.reset()`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(measureFor)
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[json.RawMessage](`window.iotosLive.summary()`))
	if err != nil {
		t.Fatal(err)
	}
	shots.save(t, bctx, "live-10k")
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if n, _ := s["samples"].(float64); n == 0 {
		t.Fatalf("no samples reached the screen in %s: %s", measureFor, raw)
	}
	t.Logf("live view, %d points at 1 Hz, %s in chromium: %s", benchDevices*benchPerDev, measureFor, raw)
}

// tenThousandTable is a .tb table of benchDevices simulated devices with
// benchPerDev ascending points each, polled every second.
func tenThousandTable() []byte {
	var b strings.Builder
	b.WriteString(`{"name":"plant-10k","properties":{`)
	for d := 1; d <= benchDevices; d++ {
		if d > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%08x":{"name":"dev%02d","config":{"driver":"simulator","param":{},"enabled":true},"data":{`, d, d)
		for i := 1; i <= benchPerDev; i++ {
			if i > 1 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"%04x":{"name":"pt%04d","valuetype":"FLOAT","readwrite":"1","refreshcycle":"1000","unit":"kW",`+
				`"config":{"param":{"change":"ascending","min":0,"max":1000000,"step":1}}}`, i, i)
		}
		b.WriteString(`}}`)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// feed ingests a new value for every point of the table each second, one
// batch per device, until the test ends.
func feed(t *testing.T, a *app.App, gw string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var seq uint64
		for v := 0; ; v++ {
			for d := 1; d <= benchDevices; d++ {
				seq++
				batch := bus.Batch{Epoch: "console-test", Seq: seq, Samples: make([]bus.WireSample, 0, benchPerDev)}
				now := time.Now().UnixMilli()
				for i := 1; i <= benchPerDev; i++ {
					batch.Samples = append(batch.Samples, bus.WireSample{P: fmt.Sprintf("%08x.%04x", d, i), V: float64(v), T: now})
				}
				if _, err := a.Batch(ctx, gw, batch); err != nil && ctx.Err() == nil {
					t.Errorf("ingest batch %d: %v", seq, err)
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}
