package shim

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire"
)

// echo pushes a value at Init, asks the host for one on Write and logs.
type echo struct {
	host   driver.Host
	closed bool
}

func (e *echo) Init(h driver.Host, dev driver.Device) error {
	e.host = h
	return h.SetValue(dev.Points[0].ID, int64(5), time.Time{})
}
func (e *echo) Read(_ context.Context, pts []driver.Point) ([]driver.Sample, error) {
	return []driver.Sample{driver.GoodSample(pts[0].ID, pts[0].Name)}, nil
}
func (e *echo) Write(ctx context.Context, p driver.Point, v any) (driver.Result, error) {
	s, err := e.host.Value(ctx, "other", driver.SourceDevice)
	if err != nil {
		return driver.Result{}, err
	}
	e.host.Logger().Error("wrote", "value", v)
	return driver.Result{Code: 1003, Msg: "done", Data: []any{v, s.Value}}, nil
}
func (e *echo) Broadcast(_ context.Context, m driver.Message) (driver.Result, error) {
	subs, err := e.host.Subscribers("0001")
	if err != nil {
		return driver.Result{}, err
	}
	return driver.OK([]any{m.From, m.Type, subs}), nil
}
func (e *echo) Close() error { e.closed = true; return nil }

func TestServeIOMirrorsTheDriver(t *testing.T) {
	hostR, drvW := io.Pipe()
	drvR, hostW := io.Pipe()
	var mu sync.Mutex
	var notes []string
	host := wire.NewPeer(hostR, hostW, func(_ context.Context, method string, params json.RawMessage) (any, error) {
		mu.Lock()
		notes = append(notes, method+" "+string(params))
		mu.Unlock()
		switch method {
		case wire.MethodValue:
			return wire.Sample{Point: "other", Value: "o"}, nil
		case wire.MethodSubscribers:
			return []string{"0000000b"}, nil
		}
		return nil, nil
	})
	drv := &echo{}
	served := make(chan error, 1)
	go func() { served <- ServeIO(context.Background(), "echo", drv, drvR, drvW) }()
	if h, err := host.ReadHello(); err != nil || h.Driver != "echo" {
		t.Fatalf("hello = %+v, %v", h, err)
	}
	go func() { _ = host.Run(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dev := wire.Device{ID: "0000000a", Points: []wire.Point{{ID: "0001", Name: "a", Type: "INT", Access: "rw"}}}
	if err := host.Call(ctx, wire.MethodInit, wire.InitParams{Device: dev}, nil); err != nil {
		t.Fatal(err)
	}
	var samples []wire.Sample
	if err := host.Call(ctx, wire.MethodRead, wire.ReadParams{Points: []string{"0001"}}, &samples); err != nil || len(samples) != 1 || samples[0].Value != "a" {
		t.Fatalf("read = %+v, %v", samples, err)
	}
	var res wire.Result
	if err := host.Call(ctx, wire.MethodWrite, wire.WriteParams{Point: "0001", Value: 3.0}, &res); err != nil || res.Code != 1003 {
		t.Fatalf("write = %+v, %v", res, err)
	}
	if b, _ := json.Marshal(res.Data); string(b) != `[3,"o"]` {
		t.Fatalf("write data = %s, want the INT-converted value and the host's answer", b)
	}
	if err := host.Call(ctx, wire.MethodBroadcast, wire.BroadcastParams{From: "user:ops", Type: "sync"}, &res); err != nil || res.Code != 0 {
		t.Fatalf("broadcast = %+v, %v", res, err)
	}
	if b, _ := json.Marshal(res.Data); string(b) != `["user:ops","sync",["0000000b"]]` {
		t.Fatalf("broadcast data = %s, want the sender, the type and the host's subscribers", b)
	}
	err := host.Call(ctx, wire.MethodRead, wire.ReadParams{Points: []string{"0009"}}, nil)
	if we, ok := err.(*wire.Error); !ok || we.Code != 111 {
		t.Fatalf("read of an unknown point = %v, want 111", err)
	}
	if err := host.Call(ctx, wire.MethodClose, nil, nil); err != nil {
		t.Fatal(err)
	}
	_ = hostW.Close()
	if err := <-served; err != nil {
		t.Fatalf("ServeIO = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{`set_values {"samples":[{"point":"0001","value":5}]}`, `value {"name":"other","source":"device"}`, `log {"level":"error","msg":"wrote value=3"}`, `subscribers {"name":"0001"}`}
	if len(notes) != len(want) {
		t.Fatalf("host saw %q, want %q", notes, want)
	}
	for i := range want {
		if notes[i] != want[i] {
			t.Errorf("host call %d = %s, want %s", i, notes[i], want[i])
		}
	}
	if !drv.closed {
		t.Error("the driver was not closed")
	}
}
