package mqtt

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// TestValuesFromMosquittoPub: messages published by the broker's own
// command-line client reach the right points, through JSON paths and
// wildcards, converted to each point's type, stamped with arrival time.
func TestValuesFromMosquittoPub(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		b := startBroker(t, "", "")
		dev := device(t, map[string]any{"url": b.url(), "version": version, "qos": 1},
			point(t, "0001", driver.Float, driver.Read, map[string]any{"topic": "plant/boiler", "path": "$.temp"}),
			point(t, "0002", driver.Int, driver.Read, map[string]any{"topic": "plant/boiler", "path": "$.sensors[1].value"}),
			point(t, "0003", driver.Bool, driver.Read, map[string]any{"topic": "plant/pump"}),
			point(t, "0004", driver.String, driver.Read, map[string]any{"topic": "plant/+/status", "path": "$['state.now']"}),
		)
		m, host := connected(t, dev)
		before := time.Now()
		b.pub("plant/boiler", `{"temp": 71.5, "sensors": [{"value": 1}, {"value": 42}]}`, version)
		b.pub("plant/pump", "ON", version)
		b.pub("plant/mixer/status", `{"state.now": "running"}`, version)

		temp := waitSample(t, host, "0001", valueIs(71.5))
		waitSample(t, host, "0002", valueIs(int64(42)))
		waitSample(t, host, "0003", valueIs(true))
		waitSample(t, host, "0004", valueIs("running"))
		if temp.TS.Before(before) || temp.TS.After(time.Now()) {
			t.Errorf("TS %v is not the arrival time (after %v)", temp.TS, before)
		}
		checkRead(t, m, dev.Points, map[string]any{"0001": 71.5, "0002": int64(42), "0003": true, "0004": "running"})
	})
}

// checkRead: polled points read the last values received, Good.
func checkRead(t *testing.T, m *MQTT, points []driver.Point, want map[string]any) {
	t.Helper()
	got, err := m.Read(context.Background(), points)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, s := range got {
		if w, ok := want[s.Point]; ok && (s.Value != w || s.Quality != driver.Good) {
			t.Errorf("Read %s = %v (%T, %s), want %v (%T, good)", s.Point, s.Value, s.Value, s.Quality, w, w)
		}
	}
}

// TestValuesFromPahoPublisher: a Go publisher, a multi-level wildcard, and a
// payload that does not convert, which reports a Bad sample with code 516
// and leaves the other points alone.
func TestValuesFromPahoPublisher(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		b := startBroker(t, "", "")
		dev := device(t, map[string]any{"url": b.url(), "version": version},
			point(t, "0001", driver.Int, driver.Read, map[string]any{"topic": "site/#", "path": "$.count"}),
			point(t, "0002", driver.String, driver.Read, map[string]any{"topic": "site/a/raw"}),
			point(t, "0003", driver.Float, driver.Read, map[string]any{"topic": "site/a/raw", "path": "$.v[-1]"}),
		)
		_, host := connected(t, dev)
		pub := pahoClient(t, b, "test-pub")
		pahoPublish(t, pub, "site/a/b/c", `{"count": 7}`)
		waitSample(t, host, "0001", valueIs(int64(7)))

		pahoPublish(t, pub, "site/a/raw", `{"count": "many", "v": [1, 2.25]}`)
		waitSample(t, host, "0001", func(s driver.Sample) bool {
			return s.Quality == driver.Bad && s.Code == driver.CodeTypeNotValid
		})
		waitSample(t, host, "0002", valueIs(`{"count":"many","v":[1,2.25]}`))
		waitSample(t, host, "0003", valueIs(2.25))
	})
}

// TestWritePublishes: a write publishes the value as JSON, or through the
// point's template, and a subscriber on the broker sees exactly that.
func TestWritePublishes(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		b := startBroker(t, "", "")
		dev := device(t, map[string]any{"url": b.url(), "version": version, "qos": 1},
			point(t, "0001", driver.Float, driver.ReadWrite, map[string]any{
				"topic": "hvac/setpoint/state", "write_topic": "hvac/setpoint/set"}),
			point(t, "0002", driver.String, driver.Write, map[string]any{
				"write_topic": "hvac/mode/set", "write_payload": `{"mode":"{{value}}","by":"iotos"}`}),
		)
		m, _ := connected(t, dev)
		sub := pahoSubscribe(t, pahoClient(t, b, "test-sub"), "hvac/+/set")
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()

		res, err := m.Write(ctx, dev.Points[0], 21.5)
		if err != nil || res.Code != 0 {
			t.Fatalf("Write setpoint: %v %+v", err, res)
		}
		if got := receive(t, sub); got != "21.5" {
			t.Errorf("setpoint payload %q, want 21.5", got)
		}
		if _, err := m.Write(ctx, dev.Points[1], "eco"); err != nil {
			t.Fatalf("Write mode: %v", err)
		}
		if got, want := receive(t, sub), `{"mode":"eco","by":"iotos"}`; got != want {
			t.Errorf("mode payload %q, want %q", got, want)
		}
		s, err := m.Read(ctx, dev.Points[:1])
		if err != nil || s[0].Value != 21.5 || s[0].Quality != driver.Uncertain {
			t.Errorf("read after write: %+v %v, want 21.5 uncertain until the device confirms", s, err)
		}
	})
}

// TestReconnectAfterBrokerRestart: the driver notices the broker going away,
// marks the device offline (remembered values turn Uncertain, writes fail at
// once with 504), reconnects, subscribes again and values resume.
func TestReconnectAfterBrokerRestart(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		b := startBroker(t, "", "")
		dev := device(t, map[string]any{"url": b.url(), "version": version, "reconnect_max": "2s"},
			point(t, "0001", driver.Int, driver.Read, map[string]any{"topic": "line/count"}),
			point(t, "0002", driver.Int, driver.Write, map[string]any{"write_topic": "line/reset"}))
		m, host := connected(t, dev)
		mark := waitOnline(t, host, 0, true)
		b.pub("line/count", "1", version)
		waitSample(t, host, "0001", valueIs(int64(1)))

		b.stop()
		mark = waitOnline(t, host, mark, false)
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if s, err := m.Read(ctx, dev.Points[:1]); err != nil || s[0].Quality != driver.Uncertain || s[0].Value != int64(1) {
			t.Errorf("read while offline: %+v %v, want the last value, uncertain", s, err)
		}
		if _, err := m.Write(ctx, dev.Points[1], int64(0)); drivertest.ErrorCode(err) != driver.CodeNetError {
			t.Errorf("write while offline: %v, want a 504", err)
		}
		b.start()
		waitOnline(t, host, mark, true)
		b.pub("line/count", "2", version)
		waitSample(t, host, "0001", valueIs(int64(2)))
		checkRead(t, m, dev.Points, map[string]any{"0001": int64(2)})
	})
}

// TestAuth: the right password connects and receives; a wrong one makes
// Connect fail with a link error and leaves nothing running.
func TestAuth(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		b := startBroker(t, "sensor", "s3cret")
		pt := point(t, "0001", driver.Float, driver.Read, map[string]any{"topic": "auth/t"})
		_, host := connected(t, device(t, map[string]any{
			"url": b.url(), "version": version, "username": "sensor", "password": "s3cret"}, pt))
		b.pub("auth/t", "3.5", version)
		waitSample(t, host, "0001", valueIs(3.5))

		before := goleak.IgnoreCurrent()
		bad := New()
		if err := bad.Init(drivertest.NewHost(t), device(t, map[string]any{
			"url": b.url(), "version": version, "username": "sensor", "password": "wrong"}, pt)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		err := bad.(driver.Connector).Connect(ctx)
		if code := drivertest.ErrorCode(err); code != driver.CodeNetError {
			t.Fatalf("Connect with a wrong password: %v (code %d), want code %d", err, code, driver.CodeNetError)
		}
		_ = bad.Close()
		if err := goleak.Find(before); err != nil {
			t.Errorf("a failed Connect left goroutines running: %v", err)
		}

	})
}

// TestReadBeforeAnyMessage: a point with a default reads it as Uncertain; a
// point without one is Bad with CodeNoMessage while connected.
func TestReadBeforeAnyMessage(t *testing.T) {
	b := startBroker(t, "", "")
	withDefault := point(t, "0001", driver.Int, driver.Read, map[string]any{"topic": "x/a"})
	withDefault.Default = int64(5)
	dev := device(t, map[string]any{"url": b.url()}, withDefault,
		point(t, "0002", driver.Int, driver.Read, map[string]any{"topic": "x/b"}))
	m, _ := connected(t, dev)
	got, err := m.Read(context.Background(), dev.Points)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Quality != driver.Uncertain || got[0].Value != int64(5) {
		t.Errorf("point with default: %+v, want 5 uncertain", got[0])
	}
	if got[1].Quality != driver.Bad || got[1].Code != CodeNoMessage {
		t.Errorf("point without default: %+v, want bad %d", got[1], CodeNoMessage)
	}
}

// TestConformance runs the SDK's lifecycle suite against a real broker. The
// writable point reads its own write topic.
func TestConformance(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		b := startBroker(t, "", "")
		dev := device(t, map[string]any{"url": b.url(), "version": version, "qos": 1},
			point(t, "0001", driver.Float, driver.Read, map[string]any{"topic": "c/f", "path": "$.v"}),
			point(t, "0002", driver.Int, driver.ReadWrite, map[string]any{"topic": "c/i", "write_topic": "c/i"}),
			point(t, "0003", driver.Bool, driver.Read, map[string]any{"topic": "c/+/b"}),
			point(t, "0004", driver.String, driver.Write, map[string]any{"write_topic": "c/s"}),
		)
		drivertest.RunConformance(t, New, dev)
	})
}

// TestConnectUnreachable: with no broker listening Connect fails with 504,
// leaves nothing running, and a write before any connection fails cleanly.
func TestConnectUnreachable(t *testing.T) {
	versions(t, func(t *testing.T, version int) {
		before := goleak.IgnoreCurrent()
		pt := point(t, "0001", driver.Int, driver.ReadWrite, map[string]any{"topic": "u/t", "write_topic": "u/t"})
		d := New()
		if err := d.Init(drivertest.NewHost(t), device(t, map[string]any{
			"url": "mqtt://127.0.0.1:" + strconv.Itoa(freePort(t)), "version": version}, pt)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := d.(driver.Connector).Connect(ctx); drivertest.ErrorCode(err) != driver.CodeNetError {
			t.Fatalf("Connect to a closed port: %v, want a 504", err)
		}
		if _, err := d.(driver.Writer).Write(ctx, pt, int64(1)); drivertest.ErrorCode(err) != driver.CodeNetError {
			t.Errorf("Write without a connection: %v, want a 504", err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if err := goleak.Find(before); err != nil {
			t.Errorf("a failed Connect left goroutines running: %v", err)
		}
	})
}
