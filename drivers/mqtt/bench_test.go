package mqtt

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/iotos/iotos/pkg/driver"
)

// countingHost counts pushed samples without keeping them, so benchmarks
// measure the driver rather than a growing slice.
type countingHost struct{ n atomic.Int64 }

func (h *countingHost) SetValue(string, any, time.Time) error { h.n.Add(1); return nil }
func (h *countingHost) SetValues(s []driver.Sample) error     { h.n.Add(int64(len(s))); return nil }
func (h *countingHost) Value(context.Context, string, driver.Source) (driver.Sample, error) {
	return driver.Sample{}, nil
}
func (h *countingHost) Online(bool)                          {}
func (h *countingHost) Subscribers(string) ([]string, error) { return nil, nil }
func (h *countingHost) Logger() *slog.Logger                 { return slog.New(slog.DiscardHandler) }

const benchPayload = `{"temp": 21.5, "hum": 40, "on": true, "sensors": [{"value": 1}, {"value": 2}], "name": "boiler"}`

func benchDevice(b *testing.B, url string) driver.Device {
	return device(b, map[string]any{"url": url},
		point(b, "0001", driver.Float, driver.Read, map[string]any{"topic": "bench/+", "path": "$.temp"}),
		point(b, "0002", driver.Int, driver.Read, map[string]any{"topic": "bench/+", "path": "$.hum"}),
		point(b, "0003", driver.Bool, driver.Read, map[string]any{"topic": "bench/+", "path": "$.on"}),
		point(b, "0004", driver.Int, driver.Read, map[string]any{"topic": "bench/+", "path": "$.sensors[1].value"}),
		point(b, "0005", driver.String, driver.Read, map[string]any{"topic": "bench/+", "path": "$.name"}),
	)
}

// BenchmarkReceive is the driver's cost per message feeding five points:
// routing, one JSON decode, five path lookups and conversions, the push.
func BenchmarkReceive(b *testing.B) {
	m := New().(*MQTT)
	if err := m.Init(&countingHost{}, benchDevice(b, "mqtt://127.0.0.1:1")); err != nil {
		b.Fatal(err)
	}
	raw := []byte(benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		m.receive("bench/boiler", raw, time.Now())
	}
}

// BenchmarkDecodeBaseline is the JSON decode alone: the floor under
// BenchmarkReceive.
func BenchmarkDecodeBaseline(b *testing.B) {
	raw := []byte(benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		decodePayload(raw)
	}
}

// BenchmarkBroker measures messages per second through mosquitto on
// loopback into the driver, against a bare paho subscriber as baseline.
func BenchmarkBroker(b *testing.B) {
	for _, version := range []int{3, 5} {
		b.Run("driver-v"+strconv.Itoa(version), func(b *testing.B) {
			br := startBroker(b, "", "")
			host := &countingHost{}
			dev := benchDevice(b, br.url())
			dev.Config = mustJSON(b, map[string]any{"url": br.url(), "version": version})
			m := New().(*MQTT)
			if err := m.Init(host, dev); err != nil {
				b.Fatal(err)
			}
			if err := m.Connect(context.Background()); err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			publishAndWait(b, br, func() int64 { return host.n.Load() / 5 })
		})
	}
	b.Run("bare-paho-v3", func(b *testing.B) {
		br := startBroker(b, "", "")
		var n atomic.Int64
		sub := paho.NewClient(paho.NewClientOptions().AddBroker(br.url()).SetClientID("bench-sub"))
		if tok := sub.Connect(); tok.Wait() && tok.Error() != nil {
			b.Fatal(tok.Error())
		}
		defer sub.Disconnect(100)
		if tok := sub.Subscribe("bench/+", 0, func(paho.Client, paho.Message) { n.Add(1) }); tok.Wait() && tok.Error() != nil {
			b.Fatal(tok.Error())
		}
		publishAndWait(b, br, n.Load)
	})
}

func publishAndWait(b *testing.B, br *broker, received func() int64) {
	pub := paho.NewClient(paho.NewClientOptions().AddBroker(br.url()).SetClientID("bench-pub"))
	if tok := pub.Connect(); tok.Wait() && tok.Error() != nil {
		b.Fatal(tok.Error())
	}
	defer pub.Disconnect(100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pub.Publish("bench/boiler", 0, false, benchPayload)
	}
	deadline := time.Now().Add(time.Minute)
	for received() < int64(b.N) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	if got := received(); got < int64(b.N) {
		b.Fatalf("received %d of %d messages", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
