package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mb "github.com/simonvetter/modbus"
)

// The checks in this file run the modbus driver against pymodbus, a Modbus
// server that shares no code with ours (the driver's client library,
// simonvetter/modbus, also provides the server of e2e_modbus_test.go).
// testdata/pymodbus_server.py describes the register image each unit holds.

// debianPython is the interpreter Debian's python3-pymodbus is installed
// for; a python3 earlier on PATH (pyenv, a venv) may not see it.
const debianPython = "/usr/bin/python3"

const pymodbusInstall = "apt-get install python3-pymodbus python3-serial python3-serial-asyncio"

// requirePymodbus fails (never skips) when Debian's pymodbus and pyserial
// are not installed, so a CI without them cannot pass silently.
func requirePymodbus(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(debianPython); err != nil {
		t.Fatalf("%s is missing; the pymodbus tests need Debian's python3: %s", debianPython, pymodbusInstall)
	}
	out, err := exec.Command(debianPython, "-c", "import pymodbus, serial, serial_asyncio").CombinedOutput()
	if err != nil {
		t.Fatalf("%s cannot import pymodbus and pyserial (%v): %s\n%s", debianPython, err, pymodbusInstall, out)
	}
}

// pymodbusServer is a running testdata/pymodbus_server.py with the lines it
// printed.
type pymodbusServer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	ready  chan struct{}
	exited chan struct{}

	mu    sync.Mutex
	lines []string
}

// startPymodbus runs the server with args and waits until it serves. It
// stops when the test ends: closing its stdin makes it exit.
func startPymodbus(t *testing.T, args ...string) *pymodbusServer {
	t.Helper()
	requirePymodbus(t)
	s := &pymodbusServer{stderr: &syncBuffer{}, ready: make(chan struct{}), exited: make(chan struct{})}
	s.cmd = exec.Command(debianPython, append([]string{filepath.Join("testdata", "pymodbus_server.py")}, args...)...)
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start pymodbus server: %v", err)
	}
	go s.collect(stdout)
	t.Cleanup(func() {
		_ = s.stdin.Close()
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			t.Errorf("pymodbus server still running 5 s after its stdin closed")
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("pymodbus server stderr:\n%s", s.stderr.String())
		}
	})
	select {
	case <-s.ready:
	case <-s.exited:
		t.Fatalf("pymodbus server %s exited before serving:\n%s", strings.Join(args, " "), s.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("pymodbus server %s not ready after 20 s:\n%s", strings.Join(args, " "), s.stderr.String())
	}
	return s
}

// collect records stdout lines until the process exits.
func (s *pymodbusServer) collect(stdout io.Reader) {
	defer close(s.exited)
	sc := bufio.NewScanner(stdout)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		if line == "ready" && !ready {
			ready = true
			close(s.ready)
			continue
		}
		s.mu.Lock()
		s.lines = append(s.lines, line)
		s.mu.Unlock()
	}
	_ = s.cmd.Wait()
}

// count returns how many printed lines start with prefix.
func (s *pymodbusServer) count(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// writes returns the server's "write" lines for unit.
func (s *pymodbusServer) writes(unit int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.lines {
		if strings.HasPrefix(l, fmt.Sprintf("write %d ", unit)) {
			out = append(out, l)
		}
	}
	return out
}

// pmDevice is a .tb device of the plc shape on a Modbus unit: float32 in
// both word orders, int16, uint32 and two coils to read; a float32 CDAB
// setpoint, a coil and an int16 to write.
func pmDevice(id, name, url string, unit int) string {
	return fmt.Sprintf(`"%s": {
      "name": "%s",
      "config": {"driver": "modbus", "param": {"url": "%s", "unit_id": %d, "timeout": "1s"}},
      "data": {
        "0001": {"name": "flow", "valuetype": "FLOAT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"area": "holding", "address": 0, "type": "float32", "order": "ABCD"}}},
        "0002": {"name": "pressure", "valuetype": "FLOAT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"area": "holding", "address": 2, "type": "float32", "order": "CDAB"}}},
        "0003": {"name": "offset", "valuetype": "INT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"area": "holding", "address": 4, "type": "int16"}}},
        "0004": {"name": "total", "valuetype": "INT", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"area": "holding", "address": 6, "type": "uint32"}}},
        "0005": {"name": "pump", "valuetype": "BOOL", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"area": "coil", "address": 0}}},
        "0006": {"name": "alarm", "valuetype": "BOOL", "readwrite": "1", "refreshcycle": "100",
                 "config": {"param": {"area": "coil", "address": 1}}},
        "0007": {"name": "setpoint", "valuetype": "FLOAT", "readwrite": "0", "refreshcycle": "100",
                 "minvalue": "0", "maxvalue": "1000",
                 "config": {"param": {"area": "holding", "address": 10, "type": "float32", "order": "CDAB"}}},
        "0008": {"name": "valve", "valuetype": "BOOL", "readwrite": "0", "refreshcycle": "100",
                 "config": {"param": {"area": "coil", "address": 2}}},
        "0009": {"name": "limit", "valuetype": "INT", "readwrite": "0", "refreshcycle": "100",
                 "config": {"param": {"area": "holding", "address": 12, "type": "int16"}}}
      }
    }`, id, name, url, unit)
}

func pmTable(name string, devices ...string) string {
	return fmt.Sprintf(`{"name": %q, "properties": {%s}}`, name, strings.Join(devices, ",\n"))
}

// pmImage is what the platform must show for unit u of the pymodbus server
// before anything is written.
func pmImage(u int) map[string]any {
	f := float64(u)
	return map[string]any{
		"0001": 21.5 * f, "0002": -3.25 * f, "0003": -1234 * f, "0004": 305419896 * f,
		"0005": u%2 == 1, "0006": u%2 == 0,
		"0007": 0.0, "0008": false, "0009": 0.0,
	}
}

// pmWrite is one write of the test: its value, the registers or coils it
// must leave in the server (as the server prints them) and the value the
// platform polls back.
type pmWrite struct {
	point string
	value any
	line  string
}

// pmWrites are the writes made to unit u (values differ per unit so a write
// landing on the wrong unit shows).
func pmWrites(u int) []pmWrite {
	sp := 12.75 * float64(u)
	w := regWords(math.Float32bits(float32(sp)), "CDAB")
	return []pmWrite{
		{"0007", sp, fmt.Sprintf("write %d holding 10 %d %d", u, w[0], w[1])},
		{"0008", true, fmt.Sprintf("write %d coil 2 1", u)},
		{"0009", float64(-42 * u), fmt.Sprintf("write %d holding 12 %d", u, uint16(int16(-42*u)))},
	}
}

// pmValuesShown polls the platform until every point of dev shows want with
// good quality.
func pmValuesShown(t *testing.T, c *client, gw, dev string, want map[string]any, timeout time.Duration) {
	t.Helper()
	var mismatch string
	ok := false
	defer func() {
		if !ok {
			t.Logf("last mismatch: %s", mismatch)
		}
	}()
	eventually(t, timeout, "device "+dev+"'s values on the platform", func() bool {
		for id, v := range want {
			if s := currentValue(t, c, gw+"."+dev+"."+id); s.Quality != "good" || s.Value != v {
				mismatch = fmt.Sprintf("point %s.%s = %v (%s), want %v", dev, id, s.Value, s.Quality, v)
				return false
			}
		}
		return true
	})
	ok = true
}

// TestModbusPymodbusTCP checks the modbus driver against an independent
// Modbus TCP server: the platform shows unit 7's registers and coils
// decoded (float32 in both word orders, int16, uint32, coils), and writes
// made through the REST API land in pymodbus's registers and coils, read
// back with a separate client, and poll back on the platform.
func TestModbusPymodbusTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	unit := 7 // not 1: the unit ID must reach the device as configured
	addr := freeAddr(t)
	srv := startPymodbus(t, "--tcp", addr, "--unit", fmt.Sprint(unit))
	const dev = "3e000001"
	c, gw := runGatewayEngine(t, "pymodbus-tcp", pmTable("pymodbus-tcp", pmDevice(dev, "plc", "tcp://"+addr, unit)))
	pt := func(id string) string { return gw + "." + dev + "." + id }

	pmValuesShown(t, c, gw, dev, pmImage(unit), 25*time.Second)

	for _, w := range pmWrites(unit) {
		mustWritePoint(t, c, pt(w.point), w.value)
	}
	// Read back what the writes left in the server with a client of our own.
	mc, err := mb.NewClient(&mb.ClientConfiguration{URL: "tcp://" + addr, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.Open(); err != nil {
		t.Fatalf("open a client to pymodbus: %v", err)
	}
	defer mc.Close()
	if err := mc.SetUnitId(uint8(unit)); err != nil {
		t.Fatal(err)
	}
	regs, err := mc.ReadRegisters(10, 3, mb.HOLDING_REGISTER)
	if err != nil {
		t.Fatalf("read back holding 10-12: %v", err)
	}
	sp := pmWrites(unit)[0].value.(float64)
	if w := regWords(math.Float32bits(float32(sp)), "CDAB"); regs[0] != w[0] || regs[1] != w[1] {
		t.Errorf("setpoint registers = %04x, want %04x (float32 %v CDAB)", regs[:2], w, sp)
	}
	if regs[2] != uint16(int16(-42*unit)) {
		t.Errorf("limit register = %04x, want %04x (int16 %d)", regs[2], uint16(int16(-42*unit)), -42*unit)
	}
	coils, err := mc.ReadCoils(0, 3)
	if err != nil {
		t.Fatalf("read back coils 0-2: %v", err)
	}
	if !coils[2] || coils[0] != (unit%2 == 1) || coils[1] != (unit%2 == 0) {
		t.Errorf("coils 0-2 = %v, want valve (2) on and the others untouched", coils)
	}
	// Each accepted write is exactly one change on the device.
	var want []string
	for _, w := range pmWrites(unit) {
		want = append(want, w.line)
	}
	if got := srv.writes(unit); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("pymodbus saw writes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	after := pmImage(unit)
	for _, w := range pmWrites(unit) {
		after[w.point] = w.value
	}
	pmValuesShown(t, c, gw, dev, after, 15*time.Second)
	c.expectCode(515, http.StatusBadRequest, "PUT", "/api/v1/points/"+pt("0001")+"/value", map[string]any{"value": 1})
}

const socatBin = "/usr/bin/socat"

// pmSerialPair starts socat with two connected pseudo-terminals, as a null
// modem cable between two serial ports, and returns their paths.
func pmSerialPair(t *testing.T) (a, b string) {
	t.Helper()
	if _, err := os.Stat(socatBin); err != nil {
		t.Fatalf("%s is missing: install socat (apt-get install socat) to test serial lines: %v", socatBin, err)
	}
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	cmd := exec.Command(socatBin, "-d", "-d", "pty,raw,echo=0,link="+a, "pty,raw,echo=0,link="+b)
	out := &syncBuffer{}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start socat: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	eventually(t, 10*time.Second, "socat's pseudo-terminals", func() bool {
		_, errA := os.Stat(a)
		_, errB := os.Stat(b)
		return errA == nil && errB == nil
	})
	return a, b
}

// deviceView is the part of a device reply this test reads.
type deviceView struct {
	Online    bool   `json:"online"`
	LastError string `json:"last_error"`
}

// TestModbusSerialLineShared checks two devices on one RTU line against an
// independent slave: pymodbus serves units 1 and 2 on one end of a virtual
// serial pair, the engine polls both every 100 ms through the other end.
// Both devices show their own unit's values, a write to each lands in its
// unit, no request is ever sent while the slave is still answering
// another, and neither device goes offline or reports a bad sample.
func TestModbusSerialLineShared(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	a, b := pmSerialPair(t)
	// The slave takes 5 ms to answer, so a request sent without waiting
	// for the previous answer reaches it while it is busy.
	srv := startPymodbus(t, "--rtu", b, "--baud", "115200", "--unit", "1", "--unit", "2", "--delay-ms", "5")
	url := "rtu://" + a + "?baud=115200"
	devs := map[int]string{1: "3f000001", 2: "3f000002"}
	c, gw := runGatewayEngine(t, "rs485", pmTable("rs485", pmDevice(devs[1], "meter-1", url, 1), pmDevice(devs[2], "meter-2", url, 2)))

	for u, dev := range devs {
		pmValuesShown(t, c, gw, dev, pmImage(u), 25*time.Second)
	}

	for u, dev := range devs {
		for _, w := range pmWrites(u) {
			mustWritePoint(t, c, gw+"."+dev+"."+w.point, w.value)
		}
	}
	for u, dev := range devs {
		var want []string
		for _, w := range pmWrites(u) {
			want = append(want, w.line)
		}
		if got := srv.writes(u); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("unit %d saw writes\n%s\nwant\n%s", u, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		after := pmImage(u)
		for _, w := range pmWrites(u) {
			after[w.point] = w.value
		}
		pmValuesShown(t, c, gw, dev, after, 15*time.Second)
	}

	// Keep both devices polling side by side for a while more.
	base1, base2 := srv.count("request 1 "), srv.count("request 2 ")
	eventually(t, 15*time.Second, "40 more requests to each unit", func() bool {
		return srv.count("request 1 ") >= base1+40 && srv.count("request 2 ") >= base2+40
	})

	if n := srv.count("overlap "); n != 0 {
		t.Errorf("%d requests reached the slave while it was still answering another", n)
	}
	for u, dev := range devs {
		var v deviceView
		c.ok("GET", "/api/v1/gateways/"+gw+"/devices/"+dev, nil, &v)
		if !v.Online || v.LastError != "" {
			t.Errorf("device %s (unit %d): online %v, last error %q; want online without error", dev, u, v.Online, v.LastError)
		}
		for id := range pmImage(u) {
			var h struct {
				Samples []sample `json:"samples"`
			}
			full := gw + "." + dev + "." + id
			c.ok("GET", "/api/v1/points/"+full+"/history?from=0&limit=100000", nil, &h)
			if len(h.Samples) == 0 {
				t.Errorf("point %s has no history", full)
			}
			for _, s := range h.Samples {
				if s.Quality != "good" {
					t.Errorf("point %s had a %s sample at %d", full, s.Quality, s.TS)
				}
			}
		}
	}
}
