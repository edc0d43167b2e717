package bus

import (
	"context"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

// TestDropEndsRequestsInFlight: a batch whose connection drops before the
// reply can never be acknowledged on it, so SendBatch must fail with code
// 6 (not connected) at the drop rather than wait out its deadline, and the
// link must work again once it reconnects.
func TestDropEndsRequestsInFlight(t *testing.T) {
	keys := newKeyring()
	fp := newFakePlatform()
	hold := make(chan struct{})
	fp.hold = hold
	s, _ := startPlatform(t, keys, fp)
	a := dialEngine(t, s.ClientURL(), gwA, "key-a")
	waitUntil(t, "A is connected", func() bool { return s.GatewayConnected(gwA) && a.Connected() })
	drain(a.Reconnected())

	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	result := make(chan error, 1)
	go func() {
		_, err := a.SendBatch(ctx, Batch{Epoch: "e", Seq: 1, Samples: []WireSample{{P: "0000000a.0001", V: int64(1), T: 1}}})
		result <- err
	}()
	waitUntil(t, "the platform holds the batch", func() bool {
		fp.mu.Lock()
		defer fp.mu.Unlock()
		return fp.inFlight == 1
	})
	s.DisconnectGateway(gwA)
	err := waitSignal(t, "SendBatch to end at the drop", result)
	if codes.Of(err) != codes.NoWebSer {
		t.Fatalf("SendBatch across a drop: %v, want code 6", err)
	}

	fp.mu.Lock()
	fp.hold = nil
	fp.mu.Unlock()
	close(hold)
	waitSignal(t, "A reconnects", a.Reconnected())
	ack, err := a.SendBatch(ctx, Batch{Epoch: "e", Seq: 2, Samples: []WireSample{{P: "0000000a.0001", V: int64(2), T: 2}}})
	if err != nil || ack.Seq != 2 {
		t.Fatalf("SendBatch after the reconnect: %+v, %v", ack, err)
	}
}
