package modbus

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

func holdingPoint(id string, addr, unit int) driver.Point {
	cfg, _ := json.Marshal(map[string]any{"area": "holding", "address": addr, "unit_id": unit})
	return driver.Point{ID: id, Name: id, Type: driver.Int, Access: driver.ReadWrite, Config: cfg}
}

func deviceFor(url string, extra map[string]any, points ...driver.Point) driver.Device {
	cfg := map[string]any{"url": url}
	for k, v := range extra {
		cfg[k] = v
	}
	raw, _ := json.Marshal(cfg)
	return driver.Device{ID: "0000000b", Config: raw, Points: points}
}

func codeOfErr(err error) int {
	var c interface{ ErrorCode() int }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return 0
}

// A dead unit behind a gateway is reported per point; the other unit's
// points are still read, and only a poll where everything timed out fails.
func TestTimeoutIsPerUnit(t *testing.T) {
	d := newDevice()
	d.set(1, areaHolding, 0, 11)
	d.mute[2] = true
	srv := startServer(t, d)
	pts := []driver.Point{holdingPoint("0001", 0, 1), holdingPoint("0002", 0, 2), holdingPoint("0003", 5, 2)}
	m := connected(t, deviceFor(srv.url(), map[string]any{"timeout": "200ms"}, pts...))

	samples, err := m.Read(ctxT(t), pts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if samples[0].Quality != driver.Good || samples[0].Value != int64(11) {
		t.Errorf("unit 1: %+v", samples[0])
	}
	for _, s := range samples[1:] {
		if s.Quality != driver.Bad || s.Code != driver.CodeTimeout {
			t.Errorf("unit 2: %+v, want bad 519", s)
		}
	}

	only := pts[1:]
	for i := 1; i <= timeoutsBeforeReconnect; i++ {
		_, err := m.Read(ctxT(t), only)
		if codeOfErr(err) != driver.CodeTimeout {
			t.Fatalf("poll %d: %v, want code 519", i, err)
		}
		if got := errors.Is(err, driver.ErrReconnect); got != (i == timeoutsBeforeReconnect) {
			t.Fatalf("poll %d: reconnect = %v", i, got)
		}
	}
}

// A device that goes away gets a 504 asking for a reconnect; once it is
// back on the same port, Close+Connect (what the engine does) resumes.
func TestReconnectAfterServerRestart(t *testing.T) {
	d := newDevice()
	d.set(1, areaHolding, 3, 33)
	srv := startServer(t, d)
	pts := []driver.Point{holdingPoint("0001", 3, 1)}
	m := connected(t, deviceFor(srv.url(), nil, pts...))
	if s, err := m.Read(ctxT(t), pts); err != nil || s[0].Value != int64(33) {
		t.Fatalf("before restart: %+v, %v", s, err)
	}

	srv.stop()
	_, err := m.Read(ctxT(t), pts)
	var de *driver.Error
	if !errors.Is(err, driver.ErrReconnect) || !errors.As(err, &de) || de.Code != driver.CodeNetError {
		t.Fatalf("server down: %v, want a *driver.Error 504 wrapping ErrReconnect", err)
	}
	m.Close()
	if err := m.Connect(ctxT(t)); codeOfErr(err) != driver.CodeNetError || !errors.Is(err, driver.ErrReconnect) {
		t.Fatalf("connect while down: %v, want 504", err)
	}

	d.set(1, areaHolding, 3, 34)
	srv.start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m.Close()
		err := m.Connect(ctxT(t))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never reconnected: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s, err := m.Read(ctxT(t), pts)
	if err != nil || s[0].Quality != driver.Good || s[0].Value != int64(34) {
		t.Fatalf("after restart: %+v, %v", s, err)
	}
}

// delay_between_requests spaces requests; a context that ends during the
// pause ends the read with 519 instead of waiting it out.
func TestDelayBetweenRequests(t *testing.T) {
	d := newDevice()
	d.set(1, areaHolding, 0, 1)
	d.set(1, areaInput, 0, 2)
	srv := startServer(t, d)
	pts := []driver.Point{holdingPoint("0001", 0, 1), point("0002", driver.Int, map[string]any{"area": "input", "address": 0})}
	m := connected(t, deviceFor(srv.url(), map[string]any{"delay_between_requests": "50ms"}, pts...))
	s, err := m.Read(ctxT(t), pts)
	if err != nil || s[0].Value != int64(1) || s[1].Value != int64(2) {
		t.Fatalf("Read: %+v, %v", s, err)
	}

	m.cfg.delay = time.Hour
	ctx, cancel := context.WithCancel(ctxT(t))
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := m.Read(ctx, pts); codeOfErr(err) != driver.CodeTimeout {
		t.Fatalf("Read cancelled during the pause: %v, want 519", err)
	}
}

func TestReadBeforeConnect(t *testing.T) {
	pts := []driver.Point{holdingPoint("0001", 0, 1)}
	m := New().(*Modbus)
	if err := m.Init(newHost(t), deviceFor("tcp://127.0.0.1:1", nil, pts...)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Read(ctxT(t), pts); !errors.Is(err, driver.ErrReconnect) {
		t.Fatalf("Read before Connect: %v, want ErrReconnect", err)
	}
	if _, err := m.Write(ctxT(t), pts[0], int64(1)); !errors.Is(err, driver.ErrReconnect) {
		t.Fatalf("Write before Connect: %v, want ErrReconnect", err)
	}
}

func TestUnknownPointIsBad(t *testing.T) {
	d := newDevice()
	srv := startServer(t, d)
	known := holdingPoint("0001", 0, 1)
	m := connected(t, deviceFor(srv.url(), nil, known))
	s, err := m.Read(ctxT(t), []driver.Point{known, holdingPoint("00ff", 1, 1)})
	if err != nil || s[0].Quality != driver.Good || s[1].Quality != driver.Bad || s[1].Code != driver.CodeArgError {
		t.Fatalf("samples %+v, %v", s, err)
	}
}

func TestReadNow(t *testing.T) {
	d := newDevice()
	d.set(7, areaHolding, 9, 99)
	srv := startServer(t, d)
	p := holdingPoint("0001", 9, 7)
	m := connected(t, deviceFor(srv.url(), nil, p))
	s, err := m.ReadNow(ctxT(t), p)
	if err != nil || s.Value != int64(99) || s.Point != "0001" {
		t.Fatalf("ReadNow = %+v, %v", s, err)
	}
}
