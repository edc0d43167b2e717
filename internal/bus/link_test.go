package bus

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

func TestEngineRequestsRoundTrip(t *testing.T) {
	keys := newKeyring()
	plat := newFakePlatform()
	s, _ := startPlatform(t, keys, plat)
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()

	b := Batch{Epoch: "ep1", Seq: 7, Samples: []WireSample{{P: "00000001.0001", V: 1.5, T: 1000}, {P: "00000001.0002", T: 1000, Q: "bad", C: 504}}}
	ack, err := e.SendBatch(ctx, b)
	if err != nil || ack.Seq != 7 || ack.Dropped != 1 {
		t.Fatalf("SendBatch = %+v, %v", ack, err)
	}
	plat.mu.Lock()
	got := plat.batches[gwA]
	plat.mu.Unlock()
	if len(got) != 1 || got[0].Epoch != "ep1" || len(got[0].Samples) != 2 || got[0].Samples[1].C != 504 {
		t.Fatalf("platform got %+v", got)
	}

	ti, err := e.TableIndex(ctx)
	if err != nil || len(ti.Devices) != 1 || ti.Devices[0].ID != gwA[:8] {
		t.Fatalf("TableIndex = %+v, %v", ti, err)
	}
	dt, err := e.DeviceTable(ctx, gwA[:8])
	if err != nil || dt.Device.Name != "dev-of-"+gwA || dt.Version != "v1" {
		t.Fatalf("DeviceTable = %+v, %v", dt, err)
	}
	if _, err := e.DeviceTable(ctx, "00000009"); codes.Of(err) != codes.DeviceNotExist {
		t.Fatalf("DeviceTable of a missing device: %v, want 109", err)
	}
	vals, err := e.Values(ctx, []string{"00000001.0001", "00000001.0002"})
	if err != nil || len(vals) != 2 || vals[1].ID != gwA+".00000001.0002" || vals[1].Value != 1.0 {
		t.Fatalf("Values = %+v, %v", vals, err)
	}

	if err := e.PublishStatus(Status{Epoch: "ep1", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	if gw := waitSignal(t, "status", plat.status); gw != gwA {
		t.Fatalf("status from %s", gw)
	}
}

func TestSendBatchNegativeAck(t *testing.T) {
	keys := newKeyring()
	plat := newFakePlatform()
	plat.batchErr = codes.New(codes.Unknown, "disk full")
	s, _ := startPlatform(t, keys, plat)
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	_, err := e.SendBatch(context.Background(), Batch{Epoch: "e", Seq: 1})
	if ce := codes.From(err); ce.Code != codes.Unknown || ce.Msg != "disk full" {
		t.Fatalf("SendBatch err = %v, want the platform's 101", err)
	}
}

func TestSendBatchTimeoutIs519(t *testing.T) {
	keys := newKeyring()
	plat := newFakePlatform()
	plat.hold = make(chan struct{})
	defer close(plat.hold)
	s, _ := startPlatform(t, keys, plat)
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := e.SendBatch(ctx, Batch{Epoch: "e", Seq: 1}); codes.Of(err) != codes.Timeout {
		t.Fatalf("SendBatch err = %v, want 519", err)
	}
}

func TestBatchesUseBoundedWorkers(t *testing.T) {
	keys := newKeyring()
	plat := newFakePlatform()
	plat.hold = make(chan struct{})
	s, _ := startPlatform(t, keys, plat)
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	const n = 3 * batchWorkers
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			_, err := e.SendBatch(ctx, Batch{Epoch: "e", Seq: uint64(i)})
			errs <- err
		}()
	}
	waitUntil(t, "the workers are all busy", func() bool {
		plat.mu.Lock()
		defer plat.mu.Unlock()
		return plat.inFlight == batchWorkers
	})
	close(plat.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	plat.mu.Lock()
	defer plat.mu.Unlock()
	if plat.maxInFlight != batchWorkers || len(plat.batches[gwA]) != n {
		t.Fatalf("max in flight %d (want %d), stored %d of %d", plat.maxInFlight, batchWorkers, len(plat.batches[gwA]), n)
	}
}

func TestCommandsReachTheEngine(t *testing.T) {
	keys := newKeyring()
	s, pl := startPlatform(t, keys, newFakePlatform())
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	fe := newFakeEngine()
	if err := e.Serve(fe); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()

	r, err := pl.Command(ctx, gwA, KindWrite, WriteCmd{Point: "00000001.0001", Value: 42.0, TimeoutMS: 3000, User: "ann"})
	if err != nil || r.Code != codes.Success {
		t.Fatalf("write = %+v, %v", r, err)
	}
	var echo map[string]any
	if err := json.Unmarshal(r.Data, &echo); err != nil || echo["value"] != 42.0 || echo["user"] != "ann" {
		t.Fatalf("write reply data %s (%v)", r.Data, err)
	}
	if left := waitSignal(t, "write deadline", fe.deadlines); left <= 0 || left > 3*time.Second {
		t.Fatalf("handler budget %v, want within the command's 3 s", left)
	}

	r, err = pl.Command(ctx, gwA, KindWrite, WriteCmd{Point: "bad.pt", Value: 1})
	if err != nil || r.Code != 1234 || r.Msg != "driver says no" || string(r.Data) != `{"reason":"locked"}` {
		t.Fatalf("driver reply not verbatim: %+v, %v", r, err)
	}
	r, err = pl.Command(ctx, gwA, KindBroadcast, BroadcastCmd{Type: "sync"})
	if err != nil || r.Code != codes.Success {
		t.Fatalf("broadcast = %+v, %v", r, err)
	}
	r, err = pl.Command(ctx, gwA, KindCollect, CollectCmd{Device: "00000001", Action: "explode"})
	if err != nil || r.Code != codes.ArgError {
		t.Fatalf("collect = %+v, %v", r, err)
	}

	if err := pl.NotifyReload(gwA, ReloadCmd{Devices: []string{"00000001"}}); err != nil {
		t.Fatal(err)
	}
	if rc := waitSignal(t, "reload", fe.reloads); len(rc.Devices) != 1 || rc.Devices[0] != "00000001" {
		t.Fatalf("reload = %+v", rc)
	}
}

func TestCommandArgumentErrors(t *testing.T) {
	keys := newKeyring()
	_, pl := startPlatform(t, keys, nil)
	if _, err := pl.Command(context.Background(), "nope", KindWrite, WriteCmd{}); codes.Of(err) != codes.ArgError {
		t.Fatalf("bad gateway: %v", err)
	}
	if _, err := pl.Command(context.Background(), gwA, KindReload, ReloadCmd{}); codes.Of(err) != codes.ArgError {
		t.Fatalf("reload as command: %v", err)
	}
	if err := pl.NotifyReload("nope", ReloadCmd{}); codes.Of(err) != codes.ArgError {
		t.Fatalf("reload to bad gateway: %v", err)
	}
}

func TestCommandWithoutEngineIsOfflineAtOnce(t *testing.T) {
	keys := newKeyring()
	_, pl := startPlatform(t, keys, newFakePlatform())
	// A deadline far away: only an immediate "no responders" yields 3;
	// waiting would end in 519.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := pl.Command(ctx, gwC, KindRead, ReadCmd{Point: "00000001.0001"}); codes.Of(err) != codes.ObjectOffline {
		t.Fatalf("err = %v, want code 3", err)
	}
}

func TestSilentHandlerIs519(t *testing.T) {
	keys := newKeyring()
	s, pl := startPlatform(t, keys, newFakePlatform())
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	if err := e.Serve(newFakeEngine()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := pl.Command(ctx, gwA, KindRead, ReadCmd{Point: "00000001.0001", TimeoutMS: 500}); codes.Of(err) != codes.Timeout {
		t.Fatalf("err = %v, want 519", err)
	}
}

func TestServeTwiceIsRefused(t *testing.T) {
	keys := newKeyring()
	s, pl := startPlatform(t, keys, newFakePlatform())
	e := dialEngine(t, s.ClientURL(), gwA, "key-a")
	if err := e.Serve(newFakeEngine()); err != nil {
		t.Fatal(err)
	}
	if err := e.Serve(newFakeEngine()); codes.Of(err) != codes.ArgError {
		t.Fatalf("second engine Serve: %v", err)
	}
	if err := pl.Serve(newFakePlatform()); codes.Of(err) != codes.ArgError {
		t.Fatalf("second platform Serve: %v", err)
	}
}

func TestGatewayOf(t *testing.T) {
	for _, tc := range []struct {
		subject, gw, kind string
		ok                bool
	}{
		{Subject(gwA, KindBatch), gwA, KindBatch, true},
		{Subject(gwA, KindDevice), gwA, KindDevice, true},
		{Subject("ABCDEF", KindBatch), "", "", false},
		{"iotos.gw." + gwA + ".up", "", "", false},
		{Subject(gwA, KindBatch) + ".x", "", "", false},
	} {
		gw, kind, err := gatewayOf(tc.subject)
		if (err == nil) != tc.ok || gw != tc.gw || kind != tc.kind {
			t.Errorf("gatewayOf(%q) = %q, %q, %v", tc.subject, gw, kind, err)
		}
	}
}

func TestReconnectDelayIsCappedWithJitter(t *testing.T) {
	for attempt := range 40 {
		d := reconnectDelay(attempt)
		want := backoffMax
		if attempt <= 6 {
			want = min(backoffBase<<max(attempt-1, 0), backoffMax)
		}
		if d < want/2 || d > want {
			t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, want/2, want)
		}
	}
}
