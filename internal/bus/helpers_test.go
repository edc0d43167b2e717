package bus

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/goleak"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// waitLong is how long tests wait for something that should happen; it is
// generous because the machines are shared, and never a pass condition.
const waitLong = 20 * time.Second

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	gwA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	gwB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	gwC = "cccccccccccccccccccccccccccccccc"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// keyring is the fake key store behind Authenticate; it counts refusals so
// tests can wait for a reconnect attempt to have been refused.
type keyring struct {
	mu      sync.Mutex
	keys    map[string]string
	refused map[string]int
}

func newKeyring() *keyring {
	return &keyring{
		keys:    map[string]string{gwA: "key-a", gwB: "key-b", gwC: "key-c"},
		refused: map[string]int{},
	}
}

func (k *keyring) check(gw, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if want, ok := k.keys[gw]; ok && want == key {
		return nil
	}
	k.refused[gw]++
	return codes.New(codes.AccountNotRegister, "gateway key rejected")
}

func (k *keyring) set(gw, key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[gw] = key
}

func (k *keyring) refusals(gw string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.refused[gw]
}

func startServer(t *testing.T, keys *keyring, listen string) *Server {
	t.Helper()
	s, err := NewServer(ServerOptions{Listen: listen, Authenticate: keys.check, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// startPlatform starts a server on a random loopback port with a platform
// link serving h.
func startPlatform(t *testing.T, keys *keyring, h PlatformHandler) (*Server, PlatformLink) {
	t.Helper()
	s := startServer(t, keys, "127.0.0.1:-1")
	return s, servePlatform(t, s, h)
}

func servePlatform(t *testing.T, s *Server, h PlatformHandler) PlatformLink {
	t.Helper()
	pl, err := s.PlatformLink()
	if err != nil {
		t.Fatalf("PlatformLink: %v", err)
	}
	t.Cleanup(func() { pl.Close() })
	if h != nil {
		if err := pl.Serve(h); err != nil {
			t.Fatalf("Serve: %v", err)
		}
	}
	return pl
}

func dialEngine(t *testing.T, url, gw, key string) *EngineConn {
	t.Helper()
	link, err := DialEngine(context.Background(), EngineOptions{URL: url, Gateway: gw, Key: key, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("DialEngine %s: %v", gw, err)
	}
	t.Cleanup(func() { link.Close() })
	return link.(*EngineConn)
}

// rawConn is a plain client logged in as gw, its asynchronous errors
// (permission violations) delivered on the returned channel.
func rawConn(t *testing.T, s *Server, gw, key string) (*nats.Conn, <-chan error) {
	t.Helper()
	errs := make(chan error, 64)
	nc, err := nats.Connect(s.ClientURL(),
		nats.UserInfo(gw, key),
		nats.CustomInboxPrefix(InboxPrefix(gw)),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case errs <- err:
			default:
			}
		}))
	if err != nil {
		t.Fatalf("connect as %s: %v", gw, err)
	}
	t.Cleanup(nc.Close)
	return nc, errs
}

// waitPermissionError waits for a permission violation naming subject.
func waitPermissionError(t *testing.T, errs <-chan error, subject string) {
	t.Helper()
	timeout := time.After(waitLong)
	for {
		select {
		case err := <-errs:
			if errors.Is(err, nats.ErrPermissionViolation) && strings.Contains(err.Error(), `"`+subject+`"`) {
				return
			}
		case <-timeout:
			t.Fatalf("no permission violation for %q", subject)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitSignal[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLong):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// drain empties a buffered signal channel.
func drain[T any](ch <-chan T) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// fakePlatform is a PlatformHandler recording what it receives.
type fakePlatform struct {
	mu       sync.Mutex
	batches  map[string][]Batch
	statuses map[string][]Status
	status   chan string // gateway of each status, as it arrives
	batchErr error

	inFlight, maxInFlight int
	hold                  chan struct{} // when set, Batch waits on it
}

func newFakePlatform() *fakePlatform {
	return &fakePlatform{
		batches:  map[string][]Batch{},
		statuses: map[string][]Status{},
		status:   make(chan string, 64),
	}
}

func (f *fakePlatform) Batch(ctx context.Context, gw string, b Batch) (Ack, error) {
	f.mu.Lock()
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	hold, err := f.hold, f.batchErr
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return Ack{}, ctx.Err()
		}
	}
	if err != nil {
		return Ack{}, err
	}
	f.mu.Lock()
	f.batches[gw] = append(f.batches[gw], b)
	f.mu.Unlock()
	return Ack{Seq: b.Seq, Dropped: len(b.Samples) - 1}, nil
}

func (f *fakePlatform) Status(gw string, st Status) {
	f.mu.Lock()
	f.statuses[gw] = append(f.statuses[gw], st)
	f.mu.Unlock()
	f.status <- gw
}

func (f *fakePlatform) statusCount(gw string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.statuses[gw])
}

func (f *fakePlatform) TableIndex(_ context.Context, gw string) (TableIndex, error) {
	return TableIndex{Devices: []DeviceVersion{{ID: gw[:8], Version: "v1"}}}, nil
}

func (f *fakePlatform) DeviceTable(_ context.Context, gw, dev string) (DeviceTable, error) {
	if dev != gw[:8] {
		return DeviceTable{}, codes.New(codes.DeviceNotExist, "device %s not found", dev)
	}
	return DeviceTable{Device: model.Device{ID: dev, Name: "dev-of-" + gw}, Version: "v1"}, nil
}

func (f *fakePlatform) Values(_ context.Context, gw string, ids []string) ([]model.Sample, error) {
	out := make([]model.Sample, len(ids))
	for i, id := range ids {
		out[i] = model.Sample{ID: gw + "." + id, Value: float64(i), TS: int64(i)}
	}
	return out, nil
}

// fakeEngine is an EngineHandler: Write echoes, Read stays silent until its
// context ends, Reload is recorded.
type fakeEngine struct {
	reloads   chan ReloadCmd
	deadlines chan time.Duration // remaining budget seen by Write
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{reloads: make(chan ReloadCmd, 8), deadlines: make(chan time.Duration, 8)}
}

func (f *fakeEngine) Write(ctx context.Context, cmd WriteCmd) Reply {
	if dl, ok := ctx.Deadline(); ok {
		f.deadlines <- time.Until(dl)
	}
	if cmd.Point == "bad.pt" {
		return Reply{Code: 1234, Msg: "driver says no", Data: []byte(`{"reason":"locked"}`)}
	}
	return ReplyOf(map[string]any{"point": cmd.Point, "value": cmd.Value, "user": cmd.User}, nil)
}

func (f *fakeEngine) Read(ctx context.Context, _ ReadCmd) Reply {
	<-ctx.Done()
	return ReplyOf(nil, ctx.Err())
}

func (f *fakeEngine) Broadcast(_ context.Context, cmd BroadcastCmd) Reply {
	return ReplyOf(map[string]Reply{"00000001": ReplyOf(cmd.Type, nil)}, nil)
}

func (f *fakeEngine) Collect(_ context.Context, cmd CollectCmd) Reply {
	if cmd.Action != "pause" {
		return ReplyOf(nil, codes.New(codes.ArgError, "bad action %q", cmd.Action))
	}
	return ReplyOf(nil, nil)
}

func (f *fakeEngine) Reload(cmd ReloadCmd) { f.reloads <- cmd }
