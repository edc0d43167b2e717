package app

import (
	"context"
	"testing"

	"github.com/iotos/iotos/internal/bus"
)

func TestEngineStatusInReplies(t *testing.T) {
	a, _ := newApp(t, nil) // no live-connection check: status recency decides
	f := seed(t, a)
	ctx := context.Background()
	g, err := a.GetGateway(ctx, f.gw)
	if err != nil || g.Online || g.Engine.LastSeen != nil {
		t.Fatalf("before any status: %+v %v", g, err)
	}
	a.Status(f.gw, bus.Status{Version: "v1", OutboxBatches: 3, Devices: []bus.DeviceStatus{{ID: f.dev, Online: false, LastError: "connection refused"}}})
	g, _ = a.GetGateway(ctx, f.gw)
	if !g.Online || g.Engine.OutboxBatches != 3 || g.Engine.LastSeen == nil || g.Engine.Version != "v1" {
		t.Fatalf("after status: %+v", g)
	}
	d, _ := a.GetDevice(ctx, admin, f.gw, f.dev, false)
	if d.Online || d.LastError != "connection refused" {
		t.Fatalf("device state %+v", d.DeviceState)
	}
	a.Status(f.gw, bus.Status{Devices: []bus.DeviceStatus{{ID: f.dev, Online: true}}})
	d, _ = a.GetDevice(ctx, admin, f.gw, f.dev, false)
	if !d.Online || d.LastError != "" {
		t.Fatalf("device state %+v", d.DeviceState)
	}
	if err := a.DeleteGateway(ctx, admin, f.gw); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetGateway(ctx, f.gw); err == nil {
		t.Fatal("deleted gateway still there")
	}
}
