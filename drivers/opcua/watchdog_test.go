package opcua

import (
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// TestServerRestartResumes kills the server mid-test (SIGKILL) and starts it
// again on the same port: the watchdog marks the device offline, rebuilds
// the client and its subscription, and values flow again, pushed and polled.
func TestServerRestartResumes(t *testing.T) {
	srv := startServer(t)
	temp := point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", modeSubscribe, 100*time.Millisecond)
	label := point("0002", driver.String, driver.ReadWrite, "ns=2;s=Label", "", 0)
	d, host := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint(), "watchdog_interval": "200ms", "timeout": "2s"}, temp, label))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("online marks %v; %d samples: %v", host.OnlineCalls(), len(host.Samples()), host.Samples())
		}
	})
	eventually(t, "pushed values before the restart", func() bool { return len(good(host.Samples(), "0001")) >= 3 })

	srv.kill()
	eventually(t, "the device marked offline", func() bool { return onlineMarks(host, false) > 0 })
	if _, err := d.Read(testCtx(t), []driver.Point{label}); drivertest.ErrorCode(err) != driver.CodeNetError {
		t.Errorf("Read while the server is down: %v, want code 504", err)
	}
	before := len(host.Samples())

	restarted, err := launch(srv.port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restarted.kill)
	eventually(t, "the device marked online again", func() bool { return onlineMarks(host, true) > 0 })
	eventually(t, "pushed values after the restart", func() bool {
		return increasing(good(host.Samples()[before:], "0001")) >= 3
	})
	samples, err := d.Read(testCtx(t), []driver.Point{label})
	if err != nil || samples[0].Quality != driver.Good || samples[0].Value != "pump" {
		t.Fatalf("Read after the restart: %+v, %v; want the restarted server's \"pump\"", samples, err)
	}
	if res, err := d.Write(testCtx(t), label, "after restart"); err != nil || res.Code != 0 {
		t.Fatalf("Write after the restart: %+v, %v", res, err)
	}
}

func onlineMarks(h *drivertest.Host, online bool) int {
	n := 0
	for _, m := range h.OnlineCalls() {
		if m == online {
			n++
		}
	}
	return n
}
