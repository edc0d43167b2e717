package modbus

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

const socatPath = "/usr/bin/socat"

// virtualSerial starts socat with a pair of connected pseudo-terminals and
// returns their paths: what one end writes, the other reads, as on a null
// modem cable.
func virtualSerial(t *testing.T) (a, b string) {
	t.Helper()
	if _, err := os.Stat(socatPath); err != nil {
		t.Fatalf("%s is missing: install socat (apt-get install -y socat) to test serial lines: %v", socatPath, err)
	}
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	cmd := exec.Command(socatPath, "-d", "-d", "pty,raw,echo=0,link="+a, "pty,raw,echo=0,link="+b)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start socat: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, errA := os.Stat(a)
		_, errB := os.Stat(b)
		if errA == nil && errB == nil {
			return a, b
		}
		if time.Now().After(deadline) {
			t.Fatalf("socat did not create %s and %s", a, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// slave is a Modbus RTU slave on a serial port serving FC03 and FC06 for
// two units. It answers slowly and counts requests that arrived while it
// was still producing the previous response: on a line shared correctly
// there are none.
type slave struct {
	mu       sync.Mutex
	regs     map[byte]map[uint16]uint16
	requests int
	overlaps int
	garble   bool // corrupt the CRC of the next response
	port     *os.File
	done     chan struct{}
}

// chunk is bytes read from the port with the time they arrived.
type chunk struct {
	b  []byte
	at time.Time
}

func startSlave(t *testing.T, path string) *slave {
	t.Helper()
	port, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	s := &slave{regs: map[byte]map[uint16]uint16{1: {}, 2: {}}, port: port, done: make(chan struct{})}
	for u, regs := range s.regs {
		for a := range uint16(200) {
			regs[a] = uint16(u)*1000 + a
		}
	}
	chunks := make(chan chunk, 64)
	go s.receive(chunks)
	go func() { defer close(s.done); s.serve(t, chunks) }()
	t.Cleanup(func() { port.Close(); <-s.done })
	return s
}

// receive timestamps bytes as they arrive, independently of serve, so a
// request sent while serve is busy is seen arriving early.
func (s *slave) receive(out chan<- chunk) {
	defer close(out)
	buf := make([]byte, 256)
	for {
		n, err := s.port.Read(buf)
		if n > 0 {
			out <- chunk{b: append([]byte(nil), buf[:n]...), at: time.Now()}
		}
		if err != nil {
			return
		}
	}
}

// serve parses 8-byte requests (FC03 and FC06 both are) and answers each
// after a pause. A request whose first byte arrived before the previous
// response started going out overlapped it.
func (s *slave) serve(t *testing.T, in <-chan chunk) {
	var buf []byte
	var start, answered time.Time
	for c := range in {
		if len(buf) == 0 {
			start = c.at
		}
		buf = append(buf, c.b...)
		for len(buf) >= 8 {
			req := buf[:8]
			buf = buf[8:]
			res := s.handle(t, req, start.Before(answered))
			start = c.at
			if res == nil {
				continue
			}
			time.Sleep(5 * time.Millisecond) // the device is slow to answer
			answered = time.Now()
			if _, err := s.port.Write(res); err != nil {
				return
			}
		}
	}
}

// handle applies one request and returns its response (nil for none).
func (s *slave) handle(t *testing.T, req []byte, overlapped bool) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if overlapped {
		s.overlaps++
	}
	if crc16(req[:6]) != binary.LittleEndian.Uint16(req[6:]) {
		t.Errorf("bad CRC in request % x", req)
		return nil
	}
	regs := s.regs[req[0]]
	if regs == nil {
		return nil // no such unit on the line: silence
	}
	addr, arg := binary.BigEndian.Uint16(req[2:]), binary.BigEndian.Uint16(req[4:])
	var res []byte
	switch req[1] {
	case 3:
		res = []byte{req[0], 3, byte(2 * arg)}
		for i := range arg {
			res = binary.BigEndian.AppendUint16(res, regs[addr+i])
		}
	case 6:
		regs[addr] = arg
		res = append([]byte(nil), req[:6]...)
	default:
		res = []byte{req[0], req[1] | 0x80, 1}
	}
	crc := crc16(res)
	if s.garble {
		s.garble, crc = false, ^crc
	}
	return binary.LittleEndian.AppendUint16(res, crc)
}

func (s *slave) stats() (requests, overlaps int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.overlaps
}

// serialDevice is a device on the serial port at path with points at
// holding registers 0, 1, 5 (written by the test) and 100 of its unit.
func serialDevice(id, url string, unit int, extra map[string]any) (driver.Device, []driver.Point) {
	pts := []driver.Point{
		holdingPoint("0001", 0, unit), holdingPoint("0002", 1, unit),
		holdingPoint("0003", 5, unit), holdingPoint("0004", 100, unit),
	}
	cfg := map[string]any{"url": url, "unit_id": unit, "timeout": "2s"}
	for k, v := range extra {
		cfg[k] = v
	}
	raw, _ := json.Marshal(cfg)
	return driver.Device{ID: id, Config: raw, Points: pts}, pts
}

// poll writes register 5 and reads every point back, n times.
func poll(t *testing.T, m *Modbus, pts []driver.Point, unit, n int) {
	base := int64(unit * 1000)
	for i := range n {
		v := base + 500 + int64(i)
		if _, err := m.Write(ctxT(t), pts[2], v); err != nil {
			t.Errorf("unit %d write %d: %v", unit, i, err)
			return
		}
		s, err := m.Read(ctxT(t), pts)
		if err != nil {
			t.Errorf("unit %d read %d: %v", unit, i, err)
			return
		}
		want := []int64{base, base + 1, v, base + 100}
		for j, w := range want {
			if s[j].Quality != driver.Good || s[j].Value != w {
				t.Errorf("unit %d read %d point %s: %+v, want %d", unit, i, s[j].Point, s[j], w)
			}
		}
	}
}

// Two devices on one serial port share one client and never have two
// requests on the wire; a third with other line settings is refused.
func TestSerialLineShared(t *testing.T) {
	a, b := virtualSerial(t)
	sl := startSlave(t, b)
	url := "rtu://" + a + "?baud=115200"
	dev1, pts1 := serialDevice("00000001", url, 1, map[string]any{"delay_between_requests": "1ms"})
	dev2, pts2 := serialDevice("00000002", url, 2, nil)
	m1, m2 := connected(t, dev1), connected(t, dev2)
	if m1.link == nil || m1.link != m2.link || m1.link.client == nil {
		t.Fatalf("devices on one port do not share a link: %p %p", m1.link, m2.link)
	}

	const polls = 15
	var wg sync.WaitGroup
	wg.Go(func() { poll(t, m1, pts1, 1, polls) })
	wg.Go(func() { poll(t, m2, pts2, 2, polls) })
	wg.Wait()
	requests, overlaps := sl.stats()
	if want := 2 * polls * 3; requests != want || overlaps != 0 {
		t.Fatalf("slave saw %d requests (want %d), %d overlapping", requests, want, overlaps)
	}

	dev3, _ := serialDevice("00000003", "rtu://"+a+"?baud=9600", 3, nil)
	err := New().Init(newHost(t), dev3)
	if codeOfErr(err) != driver.CodeArgError {
		t.Fatalf("third device with another baud: %v, want 105", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "00000003") || !strings.Contains(msg, "00000001") && !strings.Contains(msg, "00000002") {
		t.Fatalf("conflict %q does not name both devices", msg)
	}

	l := m1.link
	m1.Close()
	if s, err := m2.Read(ctxT(t), pts2[:1]); err != nil || s[0].Value != int64(2000) {
		t.Fatalf("read after the other device closed: %+v, %v", s, err)
	}
	m2.Close()
	links.Lock()
	_, stays := links.byPath[l.path]
	links.Unlock()
	if stays || l.client != nil {
		t.Fatalf("port %s still open after its last device closed", l.path)
	}
}

// A broken frame drops the shared client; each device is asked to
// reconnect, and the port is reopened once for both.
func TestSerialLineReconnect(t *testing.T) {
	a, b := virtualSerial(t)
	sl := startSlave(t, b)
	url := "rtu://" + a + "?baud=115200"
	dev1, pts1 := serialDevice("00000001", url, 1, nil)
	dev2, pts2 := serialDevice("00000002", url, 2, nil)
	m1, m2 := connected(t, dev1), connected(t, dev2)
	l := m1.link
	gen := l.gen

	sl.mu.Lock()
	sl.garble = true
	sl.mu.Unlock()
	for _, c := range []struct {
		m   *Modbus
		pts []driver.Point
	}{{m1, pts1}, {m2, pts2}} {
		if _, err := c.m.Read(ctxT(t), c.pts[:1]); !errors.Is(err, driver.ErrReconnect) || codeOfErr(err) != driver.CodeNetError {
			t.Fatalf("device %s after a garbled frame: %v, want 504 wrapping ErrReconnect", c.m.devID, err)
		}
	}
	for _, m := range []*Modbus{m1, m2} {
		m.Close()
		if err := m.Connect(ctxT(t)); err != nil {
			t.Fatalf("reconnect %s: %v", m.devID, err)
		}
	}
	if m1.link != l || m2.link != l || l.gen != gen+1 || l.client == nil {
		t.Fatalf("link rebuilt %d times for two devices, want once", l.gen-gen)
	}
	for i, c := range []struct {
		m   *Modbus
		pts []driver.Point
	}{{m1, pts1}, {m2, pts2}} {
		s, err := c.m.Read(ctxT(t), c.pts[:1])
		if want := int64((i + 1) * 1000); err != nil || s[0].Value != want {
			t.Fatalf("device %s after reconnect: %+v, %v, want %d", c.m.devID, s, err, want)
		}
	}
}
