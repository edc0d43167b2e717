package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopcua/opcua"
	"github.com/gopcua/opcua/ua"
)

// opcuaServerDir holds the node-opcua server the OPC UA driver is tested
// against; its node_modules come from `npm ci` there (scripts/test.sh).
var opcuaServerDir = filepath.Join("..", "..", "drivers", "opcua", "testdata", "server")

// opcuaTestServer is a running drivers/opcua/testdata/server/server.js.
type opcuaTestServer struct {
	port int
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

func (s *opcuaTestServer) endpoint() string {
	return fmt.Sprintf("opc.tcp://127.0.0.1:%d/iotos", s.port)
}

// kill stops the server with SIGKILL, as a crash or a power cut would, and
// waits for it to be gone.
func (s *opcuaTestServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// requireOPCUAServer fails (never skips) when node, npm or the server's
// node-opcua packages are missing, saying how to install them.
func requireOPCUAServer(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; the OPC UA tests need node 20 or later and npm (Debian: apt-get install nodejs npm): %v", tool, err)
		}
	}
	// Installed ahead of time rather than here: the driver's own tests run
	// `npm ci` in the same folder, and two at once would break each other.
	if _, err := os.Stat(filepath.Join(opcuaServerDir, "node_modules", "node-opcua")); err != nil {
		t.Fatalf("node-opcua is not installed for the OPC UA test server; run "+
			"(cd drivers/opcua/testdata/server && npm ci --no-audit --no-fund), as scripts/test.sh does: %v", err)
	}
}

// opcuaPort returns a loopback port nothing listens on, below the kernel's
// ephemeral range: while the server is down the driver redials its port,
// and a dial to a free ephemeral port can connect to itself and take the
// port the restarted server needs.
func opcuaPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free loopback port in 20000-31999")
	return 0
}

// startOPCUAServer runs server.js on port with its certificate in pki, waits
// for its "ready" line, and kills it when the test ends.
func startOPCUAServer(t *testing.T, port int, pki string) *opcuaTestServer {
	t.Helper()
	cmd := exec.Command("node", "server.js", fmt.Sprint(port), pki)
	cmd.Dir = opcuaServerDir
	s := &opcuaTestServer{port: port, cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the OPC UA server: %v", err)
	}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("output of the OPC UA server on port %d:\n%s", port, s.logs.String())
		}
	})
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if strings.TrimSpace(line) == "ready" {
				close(ready)
				continue
			}
			fmt.Fprintln(s.logs, line)
		}
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
		return s
	case <-s.done:
		t.Fatalf("the OPC UA server on port %d exited before it was ready:\n%s", port, s.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the OPC UA server on port %d was not ready within 60 s:\n%s", port, s.logs.String())
	}
	return nil
}

// opcuaClient opens an anonymous session with security mode None, the test's
// own view of the server, independent of the platform.
func opcuaClient(t *testing.T, endpoint string) *opcua.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	eps, err := opcua.GetEndpoints(ctx, endpoint)
	if err != nil {
		t.Fatalf("endpoints of %s: %v", endpoint, err)
	}
	ep, err := opcua.SelectEndpoint(eps, ua.SecurityPolicyURINone, ua.MessageSecurityModeNone)
	if err != nil {
		t.Fatalf("no None endpoint at %s: %v", endpoint, err)
	}
	c, err := opcua.NewClient(endpoint,
		opcua.SecurityPolicy(ua.SecurityPolicyURINone),
		opcua.SecurityMode(ua.MessageSecurityModeNone),
		opcua.AutoReconnect(false),
		opcua.AuthAnonymous(),
		opcua.SecurityFromEndpoint(ep, ua.UserTokenTypeAnonymous))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("connecting to %s: %v", endpoint, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	return c
}

// opcuaRead reads a node's value from the server.
func opcuaRead(t *testing.T, c *opcua.Client, node string) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Read(ctx, &ua.ReadRequest{NodesToRead: []*ua.ReadValueID{{
		NodeID: ua.MustParseNodeID(node), AttributeID: ua.AttributeIDValue,
	}}})
	if err != nil {
		t.Fatalf("reading %s: %v", node, err)
	}
	if len(resp.Results) != 1 || resp.Results[0].Status != ua.StatusOK || resp.Results[0].Value == nil {
		t.Fatalf("reading %s: %+v", node, resp.Results)
	}
	return resp.Results[0].Value.Value()
}

// opcuaWrite writes a node on the server behind the platform's back.
func opcuaWrite(t *testing.T, c *opcua.Client, node string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Write(ctx, &ua.WriteRequest{NodesToWrite: []*ua.WriteValue{{
		NodeID:      ua.MustParseNodeID(node),
		AttributeID: ua.AttributeIDValue,
		Value:       &ua.DataValue{EncodingMask: ua.DataValueValue, Value: ua.MustVariant(v)},
	}}})
	if err != nil || len(resp.Results) != 1 || resp.Results[0] != ua.StatusOK {
		t.Fatalf("writing %v to %s: %v %+v", v, node, err, resp)
	}
}

// plantTB is one OPC UA device, anonymous with security mode None, read in
// both modes: 0001, 0005 and 0006 are monitored items pushed by the server
// (0005 and 0006 with interval 0, never polled), the others are polled.
// 0007 is writable on the platform but points at a node the server keeps
// read-only.
const plantTB = `{
  "name": "opcua-plant",
  "properties": {
    "4d000001": {
      "name": "plant",
      "config": {"driver": "opcua", "param": {"endpoint": "ENDPOINT", "timeout": "2s", "watchdog_interval": "200ms"}},
      "data": {
        "0001": {"name": "temperature", "valuetype": "FLOAT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"node": "ns=2;s=Temperature", "mode": "subscribe"}}},
        "0002": {"name": "setpoint", "valuetype": "FLOAT", "readwrite": "0", "refreshcycle": "100",
                 "config": {"param": {"node": "ns=2;s=Setpoint", "mode": "poll"}}},
        "0003": {"name": "count", "valuetype": "INT", "readwrite": "0", "refreshcycle": "100",
                 "config": {"param": {"node": "ns=2;s=Count"}}},
        "0004": {"name": "label", "valuetype": "STRING", "readwrite": "0", "refreshcycle": "100",
                 "config": {"param": {"node": "ns=2;s=Label", "mode": "poll"}}},
        "0005": {"name": "running", "valuetype": "BOOL", "readwrite": "0", "refreshcycle": "0",
                 "config": {"param": {"node": "ns=2;s=Running", "mode": "subscribe"}}},
        "0006": {"name": "mode", "valuetype": "INT", "readwrite": "0", "refreshcycle": "0",
                 "config": {"param": {"node": "ns=2;s=Mode", "mode": "subscribe"}}},
        "0007": {"name": "temperature_rw", "valuetype": "FLOAT", "readwrite": "0", "refreshcycle": "100",
                 "config": {"param": {"node": "ns=2;s=Temperature", "mode": "poll"}}}
      }
    }
  }
}`

// TestOPCUADeviceFromTable is the OPC UA driver's acceptance check against
// the real binaries and a real OPC UA server (node-opcua): a device from a
// .tb table shows its polled and subscribed values on the platform, writes
// through the REST API land in the server's nodes, values resume on their
// own after the server is killed and started again, and refused writes get
// their codes.
func TestOPCUADeviceFromTable(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	requireOPCUAServer(t)
	pki := t.TempDir()
	srv := startOPCUAServer(t, opcuaPort(t), pki)
	c, gw := runGatewayEngine(t, "opcua-plant", strings.Replace(plantTB, "ENDPOINT", srv.endpoint(), 1))
	pt := func(id string) string { return gw + ".4d000001." + id }
	var mismatch string
	t.Cleanup(func() {
		if t.Failed() && mismatch != "" {
			t.Logf("last mismatch: %s", mismatch)
		}
	})
	// is reports whether a point's current value on the platform is v and good.
	is := func(id string, v any) bool {
		s := currentValue(t, c, pt(id))
		if s.Quality != "good" || s.Value != v {
			mismatch = fmt.Sprintf("point %s = %v (%T, %s), want %v", id, s.Value, s.Value, s.Quality, v)
			return false
		}
		return true
	}

	// The server's initial values, polled and pushed, with their types.
	initial := map[string]any{"0002": 21.5, "0003": 42.0, "0004": "pump", "0005": false, "0006": 3.0}
	eventually(t, 60*time.Second, "the server's initial values on the platform", func() bool {
		for id, v := range initial {
			if !is(id, v) {
				return false
			}
		}
		return true
	})
	assertOPCUAChanging(t, c, pt("0001"), 0)

	// Writes through the platform land in the server's nodes, as each node's
	// own type, and the platform shows them.
	own := opcuaClient(t, srv.endpoint())
	mustWritePoint(t, c, pt("0002"), 12.25)
	mustWritePoint(t, c, pt("0003"), -7)
	mustWritePoint(t, c, pt("0004"), "valve 3")
	mustWritePoint(t, c, pt("0005"), true)
	mustWritePoint(t, c, pt("0006"), 7)
	for node, want := range map[string]any{
		"ns=2;s=Setpoint": 12.25, "ns=2;s=Count": int32(-7), "ns=2;s=Label": "valve 3",
		"ns=2;s=Running": true, "ns=2;s=Mode": uint16(7),
	} {
		if got := opcuaRead(t, own, node); got != want {
			t.Errorf("server's %s = %v (%T) after the write, want %v (%T)", node, got, got, want, want)
		}
	}
	written := map[string]any{"0002": 12.25, "0003": -7.0, "0004": "valve 3", "0005": true, "0006": 7.0}
	eventually(t, 30*time.Second, "the written values on the platform", func() bool {
		for id, v := range written {
			if !is(id, v) {
				return false
			}
		}
		return true
	})

	// Changes made on the server by someone else reach the platform too:
	// polled, and pushed by the subscription.
	opcuaWrite(t, own, "ns=2;s=Count", int32(99))
	opcuaWrite(t, own, "ns=2;s=Running", false)
	opcuaWrite(t, own, "ns=2;s=Mode", uint16(12))
	eventually(t, 30*time.Second, "values written on the server's side", func() bool {
		return is("0003", 99.0) && is("0005", false) && is("0006", 12.0)
	})

	// Refused writes get the canonical codes and leave the nodes alone: a
	// read-only point (refused by the platform), a value that is not an INT
	// (the platform), a value the UInt16 node cannot hold (the driver), and
	// a node the server keeps read-only (the server, through the driver).
	c.expectCode(515, http.StatusBadRequest, "PUT", "/api/v1/points/"+pt("0001")+"/value", map[string]any{"value": 1.5})
	c.expectCode(516, http.StatusBadRequest, "PUT", "/api/v1/points/"+pt("0003")+"/value", map[string]any{"value": "many"})
	c.expectCode(516, http.StatusBadRequest, "PUT", "/api/v1/points/"+pt("0006")+"/value", map[string]any{"value": 70000})
	c.expectCode(515, http.StatusBadRequest, "PUT", "/api/v1/points/"+pt("0007")+"/value", map[string]any{"value": 1.5})
	if got := opcuaRead(t, own, "ns=2;s=Count"); got != int32(99) {
		t.Errorf("Count = %v after a refused write, want 99", got)
	}
	if got := opcuaRead(t, own, "ns=2;s=Mode"); got != uint16(12) {
		t.Errorf("Mode = %v after a refused write, want 12", got)
	}

	// The server dies and comes back on the same port: the engine keeps
	// running, the points go bad meanwhile, then values resume, read from
	// the new server (which starts from its initial values again).
	srv.kill()
	eventually(t, 30*time.Second, "the points bad while the server is down", func() bool {
		return currentValue(t, c, pt("0002")).Quality == "bad" && currentValue(t, c, pt("0001")).Quality == "bad"
	})
	restartedAt := time.Now().UnixMilli()
	srv = startOPCUAServer(t, srv.port, pki)
	eventually(t, 60*time.Second, "polled and pushed values from the restarted server", func() bool {
		for id, v := range initial {
			if !is(id, v) {
				return false
			}
		}
		return true
	})
	assertOPCUAChanging(t, c, pt("0001"), restartedAt)
	mustWritePoint(t, c, pt("0004"), "after restart")
	if got := opcuaRead(t, opcuaClient(t, srv.endpoint()), "ns=2;s=Label"); got != "after restart" {
		t.Errorf("Label on the restarted server = %v, want \"after restart\"", got)
	}
	eventually(t, 30*time.Second, "the write after the restart on the platform", func() bool {
		return is("0004", "after restart")
	})
}

// assertOPCUAChanging waits until the history of a subscribed point that the
// server changes on its own (Temperature, +0.5 every 100 ms) holds several
// distinct good samples since from, each higher and later than the one
// before. The engine also polls the point and the driver answers a poll
// with the last value the subscription pushed, so this also checks that no
// sample is stored twice.
func assertOPCUAChanging(t *testing.T, c *client, full string, from int64) {
	t.Helper()
	var got []sample
	eventually(t, 60*time.Second, "the subscribed temperature to keep rising in history", func() bool {
		var h struct {
			Samples []sample `json:"samples"`
		}
		c.ok("GET", fmt.Sprintf("/api/v1/points/%s/history?from=%d", full, from), nil, &h)
		got = got[:0]
		for _, s := range h.Samples {
			if s.Quality != "good" {
				continue
			}
			got = append(got, s)
		}
		return len(got) >= 5
	})
	for i := 1; i < len(got); i++ {
		prev, _ := got[i-1].Value.(float64)
		cur, ok := got[i].Value.(float64)
		if !ok || cur <= prev || got[i].TS <= got[i-1].TS {
			t.Fatalf("temperature history since %d is not rising: %+v", from, got)
		}
	}
}
