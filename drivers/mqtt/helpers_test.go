package mqtt

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

const testGateway = "0123456789abcdef0123456789abcdef"

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func device(t testing.TB, cfg map[string]any, points ...driver.Point) driver.Device {
	return driver.Device{Gateway: testGateway, ID: "5b000001", Name: "mqtt-test", Driver: "mqtt",
		Config: mustJSON(t, cfg), Points: points}
}

func point(t testing.TB, id string, typ driver.Type, access driver.Access, cfg map[string]any) driver.Point {
	return driver.Point{ID: id, Name: "p" + id, Type: typ, Access: access, Config: mustJSON(t, cfg)}
}

// connected returns a driver initialised with dev and connected, closed at
// the end of the test.
func connected(t *testing.T, dev driver.Device) (*MQTT, *drivertest.Host) {
	t.Helper()
	host := drivertest.NewHost(t)
	m := New().(*MQTT)
	if err := m.Init(host, dev); err != nil {
		t.Fatalf("Init: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := m.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m, host
}

// waitSample waits until the host has received a sample for point that
// satisfies ok, and returns it.
func waitSample(t *testing.T, host *drivertest.Host, point string, ok func(driver.Sample) bool) driver.Sample {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		for _, s := range host.Samples() {
			if s.Point == point && ok(s) {
				return s
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no matching sample for point %s within %s; got %+v", point, waitTimeout, host.Samples())
	return driver.Sample{}
}

func valueIs(want any) func(driver.Sample) bool {
	return func(s driver.Sample) bool { return s.Quality == driver.Good && s.Value == want }
}

// waitOnline waits until the host's online marks, from index from on,
// contain want, and returns the index after it.
func waitOnline(t *testing.T, host *drivertest.Host, from int, want bool) int {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		calls := host.OnlineCalls()
		for i := from; i < len(calls); i++ {
			if calls[i] == want {
				return i + 1
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no Online(%v) after mark %d within %s; marks %v", want, from, waitTimeout, host.OnlineCalls())
	return 0
}

// pahoClient is an independent MQTT 3.1.1 client for the tests' side of the
// broker: publishing, and subscribing to what the driver writes.
func pahoClient(t *testing.T, b *broker, id string) paho.Client {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(b.url()).SetClientID(id).SetUsername(b.user).SetPassword(b.pass)
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(waitTimeout) || tok.Error() != nil {
		t.Fatalf("test client connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(250) })
	return c
}

func pahoPublish(t *testing.T, c paho.Client, topic, payload string) {
	t.Helper()
	if tok := c.Publish(topic, 1, false, payload); !tok.WaitTimeout(waitTimeout) || tok.Error() != nil {
		t.Fatalf("test publish %s: %v", topic, tok.Error())
	}
}

// pahoSubscribe returns a channel of the payloads published to topic.
func pahoSubscribe(t *testing.T, c paho.Client, topic string) <-chan string {
	t.Helper()
	ch := make(chan string, 16)
	tok := c.Subscribe(topic, 1, func(_ paho.Client, m paho.Message) { ch <- string(m.Payload()) })
	if !tok.WaitTimeout(waitTimeout) || tok.Error() != nil {
		t.Fatalf("test subscribe %s: %v", topic, tok.Error())
	}
	return ch
}

func receive(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(waitTimeout):
		t.Fatalf("no message within %s", waitTimeout)
		return ""
	}
}

// versions runs a test against both protocol versions.
func versions(t *testing.T, f func(t *testing.T, version int)) {
	for _, v := range []int{3, 5} {
		t.Run("v"+strconv.Itoa(v), func(t *testing.T) { f(t, v) })
	}
}
