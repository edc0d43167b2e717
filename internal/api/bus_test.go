package api

import (
	"testing"

	"github.com/iotos/iotos/internal/bus"
)

// TestEngineRequestsThroughTheBus drives the platform side the way an
// engine does: table pull, batches (twice, as after a lost ack) and status.
func TestEngineRequestsThroughTheBus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	en := e.engine(s, &bus.Reply{})
	ctx := t.Context()
	idx, err := en.link.TableIndex(ctx)
	if err != nil || len(idx.Devices) != 1 || idx.Devices[0].ID != s.dev || idx.Devices[0].Version == "" {
		t.Fatalf("table index %+v %v", idx, err)
	}
	dt, err := en.link.DeviceTable(ctx, s.dev)
	if err != nil || len(dt.Points) != 4 || dt.Version != idx.Devices[0].Version {
		t.Fatalf("device table %+v %v", dt, err)
	}
	b := bus.Batch{Epoch: "ep", Seq: 1, Samples: []bus.WireSample{
		{P: s.dev + "." + s.temp, V: 20.0, T: 5000},
		{P: s.dev + ".ffff", V: 1.0, T: 5000},
	}}
	ack, err := en.link.SendBatch(ctx, b)
	if err != nil || ack.Seq != 1 || ack.Duplicate || ack.Dropped != 1 {
		t.Fatalf("first ack %+v %v", ack, err)
	}
	ack, err = en.link.SendBatch(ctx, b)
	if err != nil || !ack.Duplicate {
		t.Fatalf("second ack %+v %v", ack, err)
	}
	var h struct {
		Samples []map[string]any `json:"samples"`
	}
	e.ok(e.do("GET", "/api/v1/points/"+s.full(s.temp)+"/history", e.token, nil), &h)
	if len(h.Samples) != 1 {
		t.Fatalf("history after a duplicate batch %+v", h.Samples)
	}
	vals, err := en.link.Values(ctx, []string{s.dev + "." + s.temp})
	if err != nil || len(vals) != 1 || vals[0].Value != 20.0 {
		t.Fatalf("engine values %+v %v", vals, err)
	}
	if err := en.link.PublishStatus(bus.Status{OutboxBatches: 9, Devices: []bus.DeviceStatus{{ID: s.dev, Online: true}}}); err != nil {
		t.Fatal(err)
	}
	e.ok(e.do("POST", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev+"/points", e.token, map[string]any{"name": "new", "type": "BOOL"}), nil)
	waitUntil(t, "a reload of the changed device", func() bool {
		select {
		case cmd := <-en.reloads:
			return len(cmd.Devices) == 1 && cmd.Devices[0] == s.dev
		default:
			return false
		}
	})
	waitUntil(t, "the status to arrive", func() bool {
		var g struct {
			Online bool `json:"online"`
			Engine struct {
				OutboxBatches int `json:"outbox_batches"`
			} `json:"engine"`
		}
		e.ok(e.do("GET", "/api/v1/gateways/"+s.gw, e.token, nil), &g)
		return g.Online && g.Engine.OutboxBatches == 9
	})
}
