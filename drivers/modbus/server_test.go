package modbus

import (
	"context"
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
	mb "github.com/simonvetter/modbus"
)

// device is an in-process Modbus device for tests: four sparse areas per
// unit, addresses that answer with an exception, a request-size limit,
// units that never answer, and a count of requests.
type device struct {
	mu       sync.Mutex
	regs     map[uint8]map[area]map[uint16]uint16 // coils store 0/1
	unmapped map[area]map[uint16]bool
	maxQty   int             // larger reads get illegal data value (0 = none)
	mute     map[uint8]bool  // units that never answer
	readOnly map[uint16]bool // holding addresses that ignore writes
	release  chan struct{}   // closed to free handlers of mute units
	requests int
}

func newDevice() *device {
	return &device{
		regs: map[uint8]map[area]map[uint16]uint16{}, unmapped: map[area]map[uint16]bool{},
		mute: map[uint8]bool{}, readOnly: map[uint16]bool{}, release: make(chan struct{}),
	}
}

func (d *device) set(unit uint8, a area, addr uint16, v uint16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.regs[unit] == nil {
		d.regs[unit] = map[area]map[uint16]uint16{}
	}
	if d.regs[unit][a] == nil {
		d.regs[unit][a] = map[uint16]uint16{}
	}
	d.regs[unit][a][addr] = v
}

func (d *device) get(unit uint8, a area, addr uint16) uint16 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.regs[unit][a][addr]
}

func (d *device) unmap(a area, addr uint16) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.unmapped[a] == nil {
		d.unmapped[a] = map[uint16]bool{}
	}
	d.unmapped[a][addr] = true
}

func (d *device) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.requests
}

// access checks a request and returns the unit's values for it.
func (d *device) access(unit uint8, a area, addr, qty uint16, write bool, args []uint16) ([]uint16, error) {
	d.mu.Lock()
	d.requests++
	if d.mute[unit] {
		d.mu.Unlock()
		<-d.release
		return nil, mb.ErrServerDeviceBusy
	}
	defer d.mu.Unlock()
	if !write && d.maxQty > 0 && int(qty) > d.maxQty {
		return nil, mb.ErrIllegalDataValue
	}
	for i := range qty {
		if d.unmapped[a][addr+i] {
			return nil, mb.ErrIllegalDataAddress
		}
	}
	if d.regs[unit] == nil {
		d.regs[unit] = map[area]map[uint16]uint16{}
	}
	if d.regs[unit][a] == nil {
		d.regs[unit][a] = map[uint16]uint16{}
	}
	m := d.regs[unit][a]
	out := make([]uint16, qty)
	for i := range qty {
		if write && !d.readOnly[addr+i] {
			m[addr+i] = args[i]
		}
		out[i] = m[addr+i]
	}
	return out, nil
}

func (d *device) HandleCoils(req *mb.CoilsRequest) ([]bool, error) {
	args := make([]uint16, len(req.Args))
	for i, b := range req.Args {
		if b {
			args[i] = 1
		}
	}
	v, err := d.access(req.UnitId, areaCoil, req.Addr, req.Quantity, req.IsWrite, args)
	return toBools(v), err
}

func (d *device) HandleDiscreteInputs(req *mb.DiscreteInputsRequest) ([]bool, error) {
	v, err := d.access(req.UnitId, areaDiscrete, req.Addr, req.Quantity, false, nil)
	return toBools(v), err
}

func (d *device) HandleHoldingRegisters(req *mb.HoldingRegistersRequest) ([]uint16, error) {
	return d.access(req.UnitId, areaHolding, req.Addr, req.Quantity, req.IsWrite, req.Args)
}

func (d *device) HandleInputRegisters(req *mb.InputRegistersRequest) ([]uint16, error) {
	return d.access(req.UnitId, areaInput, req.Addr, req.Quantity, false, nil)
}

func toBools(v []uint16) []bool {
	out := make([]bool, len(v))
	for i, x := range v {
		out[i] = x != 0
	}
	return out
}

// server runs d on a loopback port until the test ends; it can be stopped
// and started again on the same port.
type server struct {
	t    *testing.T
	dev  *device
	addr string
	srv  *mb.ModbusServer
}

func startServer(t *testing.T, d *device) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{t: t, dev: d, addr: addr}
	s.start()
	t.Cleanup(func() {
		s.stop()
		select {
		case <-d.release:
		default:
			close(d.release)
		}
	})
	return s
}

func (s *server) start() {
	s.t.Helper()
	srv, err := mb.NewServer(&mb.ServerConfiguration{
		URL: "tcp://" + s.addr, MaxClients: 16, Logger: log.New(io.Discard, "", 0),
	}, s.dev)
	if err != nil {
		s.t.Fatal(err)
	}
	// The port was just released by a listener or a stopped server; retry
	// briefly in case the kernel has not freed it yet.
	deadline := time.Now().Add(10 * time.Second)
	for err = srv.Start(); err != nil; err = srv.Start() {
		if time.Now().After(deadline) {
			s.t.Fatalf("start server on %s: %v", s.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.srv = srv
}

func (s *server) stop() {
	if s.srv != nil {
		s.srv.Stop()
		s.srv = nil
	}
}

func (s *server) url() string { return "tcp://" + s.addr }

func newHost(t testing.TB) driver.Host { return drivertest.NewHost(t) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
