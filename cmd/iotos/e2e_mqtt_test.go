package main

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Debian's mosquitto and mosquitto-clients packages install these.
const (
	mosquittoPath = "/usr/sbin/mosquitto"
	mosquittoPub  = "/usr/bin/mosquitto_pub"
	mosquittoSub  = "/usr/bin/mosquitto_sub"
)

// requireMosquitto fails (never skips) when the broker or its command-line
// clients are missing, so a CI without them cannot pass silently.
func requireMosquitto(t *testing.T) {
	t.Helper()
	for _, p := range []string{mosquittoPath, mosquittoPub, mosquittoSub} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing (%v); the MQTT tests need Debian's broker and clients: apt-get install -y mosquitto mosquitto-clients", p, err)
		}
	}
}

// mqBroker is a mosquitto process on a loopback port with a config of the
// test's own. stop and start again keep the port, as a broker restart does.
type mqBroker struct {
	t    *testing.T
	addr string // 127.0.0.1:port
	port string
	conf string
	cmd  *exec.Cmd
	done chan struct{}
	log  *syncBuffer
}

// startMQBroker starts an anonymous, non-persistent mosquitto listening on
// 127.0.0.1 only; it is stopped when the test ends.
func startMQBroker(t *testing.T) *mqBroker {
	t.Helper()
	requireMosquitto(t)
	b := &mqBroker{t: t, addr: freeAddr(t)}
	_, b.port, _ = net.SplitHostPort(b.addr)
	conf := fmt.Sprintf("listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stdout\nlog_type all\n", b.port)
	if os.Geteuid() == 0 {
		// As root mosquitto switches to the mosquitto user, which cannot
		// read the test's temporary directory.
		conf += "user root\n"
	}
	b.conf = filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(b.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.stop()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", b.log.String())
		}
	})
	b.start()
	return b
}

// start runs mosquitto and waits until it accepts connections.
func (b *mqBroker) start() {
	b.t.Helper()
	if b.log == nil {
		b.log = &syncBuffer{}
	}
	b.cmd = exec.Command(mosquittoPath, "-c", b.conf)
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	if err := b.cmd.Start(); err != nil {
		b.t.Fatalf("start mosquitto: %v", err)
	}
	done := make(chan struct{})
	b.done = done
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); close(done) }(b.cmd)
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			b.t.Fatalf("mosquitto exited at start:\n%s", b.log.String())
		default:
		}
		c, err := net.DialTimeout("tcp", b.addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto did not listen on %s: %v\n%s", b.addr, err, b.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the broker with SIGTERM and waits for it; every client loses
// its connection.
func (b *mqBroker) stop() {
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
	b.cmd = nil
}

// pub publishes one message with mosquitto_pub; extra adds options such as
// -r (retain) or -V mqttv5.
func (b *mqBroker) pub(topic, msg string, extra ...string) {
	b.t.Helper()
	args := append([]string{"-h", "127.0.0.1", "-p", b.port, "-t", topic, "-m", msg}, extra...)
	if out, err := exec.Command(mosquittoPub, args...).CombinedOutput(); err != nil {
		b.t.Fatalf("mosquitto_pub -t %s -m %s: %v: %s", topic, msg, err, out)
	}
}

// mqWatch is a mosquitto_sub -v process printing "topic payload" lines.
type mqWatch struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// watch subscribes mosquitto_sub to topics and returns once the
// subscription is in place: a retained marker is published on a topic of
// its own, subscribed in the same request, and its delivery proves the
// broker has processed the subscriptions. The process exits on its own after
// count messages besides the marker, or after 30 s.
func (b *mqBroker) watch(count int, topics ...string) *mqWatch {
	b.t.Helper()
	const marker = "iotos-e2e/subscribed"
	b.pub(marker, "ready", "-r")
	args := []string{"-h", "127.0.0.1", "-p", b.port, "-v", "-C", fmt.Sprint(count + 1), "-W", "30"}
	for _, tp := range append(topics, marker) {
		args = append(args, "-t", tp)
	}
	w := &mqWatch{cmd: exec.Command(mosquittoSub, args...), out: &syncBuffer{}, done: make(chan struct{})}
	w.cmd.Stdout, w.cmd.Stderr = w.out, w.out
	if err := w.cmd.Start(); err != nil {
		b.t.Fatalf("start mosquitto_sub: %v", err)
	}
	go func() { _ = w.cmd.Wait(); close(w.done) }()
	b.t.Cleanup(func() {
		select {
		case <-w.done:
		default:
			_ = w.cmd.Process.Kill()
			<-w.done
		}
	})
	eventually(b.t, 20*time.Second, "mosquitto_sub to receive the retained marker", func() bool {
		return strings.Contains(w.out.String(), marker+" ready\n")
	})
	return w
}

// lines waits for mosquitto_sub to exit and returns what it printed besides
// the marker, sorted: writes through different devices travel on different
// connections, so their order at the broker is not part of the contract.
func (w *mqWatch) lines(t *testing.T) []string {
	t.Helper()
	select {
	case <-w.done:
	case <-time.After(40 * time.Second):
		t.Fatalf("mosquitto_sub still running; printed:\n%s", w.out.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimRight(w.out.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "iotos-e2e/subscribed ") {
			got = append(got, l)
		}
	}
	slices.Sort(got)
	return got
}

// mqttPlantTB has two MQTT devices on the same broker: one speaking MQTT 3.1.1,
// one MQTT 5. Their points cover JSONPath keys and array elements, the
// whole payload (JSON and plain text), one message feeding several points,
// wildcard topics, and writes with the default payload and with templates.
// No refreshcycle: the values are pushed as messages arrive.
const mqttPlantTB = `{
  "name": "plant",
  "properties": {
    "6d000001": {
      "name": "climate",
      "config": {"driver": "mqtt", "param": {"url": "mqtt://BROKER", "client_id": "iotos-e2e-v3",
                 "version": 3, "qos": 1, "reconnect_max": "2s"}},
      "data": {
        "0001": {"name": "temp", "valuetype": "FLOAT", "readwrite": "1",
                 "config": {"param": {"topic": "plant/line1/climate", "path": "$.temp"}}},
        "0002": {"name": "humidity", "valuetype": "INT", "readwrite": "1",
                 "config": {"param": {"topic": "plant/line1/climate", "path": "$.humidity"}}},
        "0003": {"name": "moisture", "valuetype": "INT", "readwrite": "1",
                 "config": {"param": {"topic": "plant/+/soil", "path": "$.sensors[0].value"}}},
        "0004": {"name": "status", "valuetype": "STRING", "readwrite": "1",
                 "config": {"param": {"topic": "plant/line1/status"}}},
        "0005": {"name": "fan", "valuetype": "BOOL", "readwrite": "0",
                 "config": {"param": {"topic": "plant/line1/fan/state", "path": "$.on",
                                      "write_topic": "plant/line1/fan/set", "write_payload": "{\"on\": {{value}}}"}}}
      }
    },
    "6d000002": {
      "name": "line",
      "config": {"driver": "mqtt", "param": {"url": "mqtt://BROKER", "client_id": "iotos-e2e-v5",
                 "version": 5, "qos": 1, "reconnect_max": "2s"}},
      "data": {
        "0001": {"name": "pressure", "valuetype": "FLOAT", "readwrite": "1",
                 "config": {"param": {"topic": "plant/+/state", "path": "$.pressure"}}},
        "0002": {"name": "running", "valuetype": "BOOL", "readwrite": "1",
                 "config": {"param": {"topic": "plant/+/state", "path": "$.running"}}},
        "0003": {"name": "count", "valuetype": "INT", "readwrite": "1",
                 "config": {"param": {"topic": "plant/line2/count"}}},
        "0004": {"name": "setpoint", "valuetype": "FLOAT", "readwrite": "2",
                 "config": {"param": {"write_topic": "plant/line2/setpoint"}}},
        "0005": {"name": "label", "valuetype": "STRING", "readwrite": "2",
                 "config": {"param": {"write_topic": "plant/line2/label", "write_payload": "label={{value}}"}}}
      }
    }
  }
}`

// TestMQTTDeviceFromTable is the MQTT acceptance check against the real
// binaries: a mosquitto broker fed JSON by mosquitto_pub shows its values on
// the platform for an MQTT 3.1.1 and an MQTT 5 device configured through a
// .tb table; writes made through the REST API are published as the point
// says; after a broker restart the devices reconnect, subscribe again and
// values flow once more; a published value of the wrong type marks its
// point bad, and a written one is refused.
func TestMQTTDeviceFromTable(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	b := startMQBroker(t)
	c, gw := runGatewayEngine(t, "plant", strings.ReplaceAll(mqttPlantTB, "BROKER", b.addr))
	v3 := func(id string) string { return gw + ".6d000001." + id }
	v5 := func(id string) string { return gw + ".6d000002." + id }

	var mismatch string
	t.Cleanup(func() {
		if t.Failed() && mismatch != "" {
			t.Logf("last mismatch: %s", mismatch)
		}
	})
	// matches reports whether every point shows its value with good quality,
	// keeping the first difference for the failure message.
	matches := func(want map[string]any) bool {
		mismatch = ""
		for _, id := range slices.Sorted(maps.Keys(want)) {
			if s := currentValue(t, c, id); s.Quality != "good" || s.Value != want[id] {
				mismatch = fmt.Sprintf("point %s = %v (%s), want %v", id, s.Value, s.Quality, want[id])
				return false
			}
		}
		return true
	}
	// feed publishes one round of messages; it is repeated while polling
	// because the engine may subscribe after the first round.
	feed := func(temp, pressure float64, humidity, moisture, count int, status string, running, fan bool) {
		b.pub("plant/line1/climate", fmt.Sprintf(`{"temp": %v, "humidity": %d, "unit": "C"}`, temp, humidity))
		b.pub("plant/bed7/soil", fmt.Sprintf(`{"sensors": [{"value": %d}, {"value": -1}]}`, moisture))
		b.pub("plant/line1/status", status)
		b.pub("plant/line1/fan/state", fmt.Sprintf(`{"on": %v}`, fan))
		b.pub("plant/line2/state", fmt.Sprintf(`{"pressure": %v, "running": %v}`, pressure, running), "-V", "mqttv5")
		b.pub("plant/line2/count", fmt.Sprint(count), "-V", "mqttv5")
	}

	eventually(t, 60*time.Second, "the first messages on the platform", func() bool {
		feed(21.5, 1.25, 48, 37, 42, "running fine", true, false)
		return matches(map[string]any{
			v3("0001"): 21.5, v3("0002"): 48.0, v3("0003"): 37.0, v3("0004"): "running fine", v3("0005"): false,
			v5("0001"): 1.25, v5("0002"): true, v5("0003"): 42.0,
		})
	})

	// Writes publish once each, as the point's write_topic and template say.
	w := b.watch(3, "plant/line1/fan/set", "plant/line2/setpoint", "plant/line2/label")
	mustWritePoint(t, c, v3("0005"), true)
	mustWritePoint(t, c, v5("0004"), 12.75)
	mustWritePoint(t, c, v5("0005"), "hello world")
	want := []string{
		`plant/line1/fan/set {"on": true}`,
		`plant/line2/label label=hello world`,
		`plant/line2/setpoint 12.75`,
	}
	if got := w.lines(t); !slices.Equal(got, want) {
		t.Errorf("mosquitto_sub printed\n%q\nwant\n%q", got, want)
	}

	// A broker restart loses every connection and subscription: the devices
	// reconnect and subscribe again on their own.
	b.stop()
	b.start()
	eventually(t, 30*time.Second, "new messages after the broker restart", func() bool {
		feed(23.25, 2.5, 51, 40, 43, "restarted", false, true)
		return matches(map[string]any{
			v3("0001"): 23.25, v3("0002"): 51.0, v3("0003"): 40.0, v3("0004"): "restarted", v3("0005"): true,
			v5("0001"): 2.5, v5("0002"): false, v5("0003"): 43.0,
		})
	})

	// A payload whose value does not convert marks that point bad with 516;
	// the other point fed by the same message takes its value.
	eventually(t, 30*time.Second, "temp bad with 516 and humidity 52 from one message", func() bool {
		b.pub("plant/line1/climate", `{"temp": "hot", "humidity": 52}`)
		var temp struct {
			Value   any    `json:"value"`
			Quality string `json:"quality"`
			Code    int    `json:"code"`
		}
		c.ok("GET", "/api/v1/points/"+v3("0001")+"/value", nil, &temp)
		mismatch = fmt.Sprintf("temp = %v (%s, code %d), want bad with 516", temp.Value, temp.Quality, temp.Code)
		return temp.Quality == "bad" && temp.Code == 516 && temp.Value == nil && matches(map[string]any{v3("0002"): 52.0})
	})

	// Values that do not convert to the point's type, and a write to a
	// read-only point, are refused with their canonical codes.
	c.expectCode(516, http.StatusBadRequest, "PUT", "/api/v1/points/"+v5("0004")+"/value", map[string]any{"value": "warm"})
	c.expectCode(516, http.StatusBadRequest, "PUT", "/api/v1/points/"+v3("0005")+"/value", map[string]any{"value": 2.5})
	c.expectCode(515, http.StatusBadRequest, "PUT", "/api/v1/points/"+v3("0001")+"/value", map[string]any{"value": 20})
}
