package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	_ "github.com/iotos/iotos/drivers/simulator"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/engine"
	"github.com/iotos/iotos/internal/engine/outbox"
	"github.com/iotos/iotos/internal/platform"
)

const (
	adminPassword = "console-test-admin-pw"
	chromiumPath  = "/usr/bin/chromium"
	// wait bounds every browser step; generous because the machines are
	// shared and a step may wait for an engine to connect and poll.
	wait = 60 * time.Second
)

// css marks a selector as CSS (a plain string is a DOM search).
type css = chromedp.CSS

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startPlatform runs a platform in-process on a random loopback port, with
// its embedded NATS reachable in-process only.
func startPlatform(t *testing.T) *platform.Platform {
	t.Helper()
	p, err := platform.Start(context.Background(), platform.Config{
		DataDir: t.TempDir(), HTTP: "127.0.0.1:0", AdminPassword: adminPassword,
		Logger: quietLogger(), Out: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// startEngine runs a gateway's engine in this process, wired as `iotos
// demo` wires it: an in-process bus link, the engine, and its outbox.
func startEngine(t *testing.T, p *platform.Platform, gw, key string) {
	t.Helper()
	log := quietLogger()
	if os.Getenv("IOTOS_TEST_ENGINE_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	link, err := p.Bus().EngineLinkInProcess(gw, key, log)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "engine", gw)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	links := teeLink(ctx, link, 2)
	ob, err := outbox.Open(dir, outbox.Options{MaxBytes: 64 << 20, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Options{Gateway: gw, Dir: dir, Link: links[0], Sink: ob, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = ob.Run(ctx, links[1]) }()
	go func() { defer wg.Done(); _ = eng.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = ob.Close()
		_ = link.Close()
	})
}

// sharedLink and teeLink give the engine and the outbox each their own
// reconnection signal from one link.
type sharedLink struct {
	bus.EngineLink
	signal chan struct{}
}

func (l *sharedLink) Reconnected() <-chan struct{} { return l.signal }

func teeLink(ctx context.Context, link bus.EngineLink, n int) []bus.EngineLink {
	out := make([]bus.EngineLink, n)
	sigs := make([]chan struct{}, n)
	for i := range out {
		sigs[i] = make(chan struct{}, 1)
		out[i] = &sharedLink{EngineLink: link, signal: sigs[i]}
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-link.Reconnected():
				for _, s := range sigs {
					select {
					case s <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	return out
}

// browser starts Debian's chromium headless with a fresh profile. A missing
// chromium fails the test: the console is only tested in a real browser.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("console tests need Debian's chromium at %s (apt-get install -y chromium): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// step runs browser actions with a deadline and fails the test with the
// step's name, saving a screenshot of what the page showed.
func step(t *testing.T, ctx context.Context, shots *shots, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		shots.save(t, ctx, "FAILED-"+name)
		t.Fatalf("%s: %v", name, err)
	}
}

// shots saves numbered full-page screenshots to $IOTOS_ARTIFACTS or a
// temporary directory.
type shots struct {
	dir string
	n   int
}

func newShots(t *testing.T, prefix string) *shots {
	dir := os.Getenv("IOTOS_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	dir = filepath.Join(dir, prefix)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return &shots{dir: dir}
}

func (s *shots) save(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	s.n++
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, strings.ReplaceAll(name, " ", "-")))
	if err := os.WriteFile(file, png, 0o640); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", file)
}

// login fills the console's login form and waits for the shell.
func login(t *testing.T, ctx context.Context, shots *shots, url, user, password string) {
	t.Helper()
	step(t, ctx, shots, "open login "+user,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(css(`input[name=username]`)),
		chromedp.SendKeys(css(`input[name=username]`), user),
		chromedp.SendKeys(css(`input[name=password]`), password))
	shots.save(t, ctx, "login-"+user)
	step(t, ctx, shots, "log in "+user,
		chromedp.Click(css(`form button[type=submit]`)),
		chromedp.WaitVisible(css(`#whoami`)))
}

// waitFor polls a JavaScript condition in the page until it holds.
func waitFor(t *testing.T, ctx context.Context, shots *shots, name, js string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			shots.save(t, ctx, "FAILED-"+name)
			t.Fatalf("%s: condition %s did not hold within %s (last error %v)", name, js, wait, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
