package sim

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	mb "github.com/simonvetter/modbus"
)

// tick is how often simulated values change.
const tick = 100 * time.Millisecond

// wavePeriod is the period of the input registers' sine wave.
const wavePeriod = 60 * time.Second

// device is one simulated Modbus device: every area has Registers
// addresses; values are computed from the time since start so thousands of
// devices cost nothing while idle, and a written address keeps its value.
type device struct {
	port      int
	registers int
	delay     time.Duration
	start     time.Time

	mu      sync.Mutex
	holding map[uint16]uint16 // written holding registers
	coils   map[uint16]bool   // written coils

	requests, served, writes atomic.Uint64
}

func newDevice(port, registers int, delay time.Duration) *device {
	return &device{
		port: port, registers: registers, delay: delay, start: time.Now(),
		holding: map[uint16]uint16{}, coils: map[uint16]bool{},
	}
}

// ticks counts the value changes since start.
func (d *device) ticks() uint64 { return uint64(time.Since(d.start) / tick) }

// holdingAt is an unwritten holding register: a counter, offset by address
// so neighbouring registers differ.
func holdingAt(addr uint16, ticks uint64) uint16 { return uint16(uint64(addr) + ticks) }

// inputAt is an input register: a sine wave around 32768, phase-shifted by
// address.
func inputAt(addr uint16, since time.Duration) uint16 {
	phase := 2*math.Pi*since.Seconds()/wavePeriod.Seconds() + float64(addr)/16
	return uint16(32768 + 32767*math.Sin(phase))
}

// coilAt is an unwritten coil: it toggles every tick.
func coilAt(addr uint16, ticks uint64) bool { return (uint64(addr)+ticks)%2 == 0 }

// discreteAt is a discrete input: it toggles every ten ticks.
func discreteAt(addr uint16, ticks uint64) bool { return (uint64(addr)+ticks/10)%2 == 0 }

// begin accounts for a request and applies the configured delay; it
// refuses addresses beyond the device's size.
func (d *device) begin(addr, quantity uint16) error {
	d.requests.Add(1)
	if d.delay > 0 {
		time.Sleep(d.delay)
	}
	if int(addr)+int(quantity) > d.registers {
		return mb.ErrIllegalDataAddress
	}
	d.served.Add(uint64(quantity))
	return nil
}

// HandleCoils implements mb.RequestHandler.
func (d *device) HandleCoils(req *mb.CoilsRequest) ([]bool, error) {
	if err := d.begin(req.Addr, req.Quantity); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if req.IsWrite {
		d.writes.Add(1)
		for i, v := range req.Args {
			d.coils[req.Addr+uint16(i)] = v
		}
		return nil, nil
	}
	t := d.ticks()
	out := make([]bool, req.Quantity)
	for i := range out {
		a := req.Addr + uint16(i)
		v, ok := d.coils[a]
		if !ok {
			v = coilAt(a, t)
		}
		out[i] = v
	}
	return out, nil
}

// HandleDiscreteInputs implements mb.RequestHandler.
func (d *device) HandleDiscreteInputs(req *mb.DiscreteInputsRequest) ([]bool, error) {
	if err := d.begin(req.Addr, req.Quantity); err != nil {
		return nil, err
	}
	t := d.ticks()
	out := make([]bool, req.Quantity)
	for i := range out {
		out[i] = discreteAt(req.Addr+uint16(i), t)
	}
	return out, nil
}

// HandleHoldingRegisters implements mb.RequestHandler.
func (d *device) HandleHoldingRegisters(req *mb.HoldingRegistersRequest) ([]uint16, error) {
	if err := d.begin(req.Addr, req.Quantity); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if req.IsWrite {
		d.writes.Add(1)
		for i, v := range req.Args {
			d.holding[req.Addr+uint16(i)] = v
		}
		return nil, nil
	}
	t := d.ticks()
	out := make([]uint16, req.Quantity)
	for i := range out {
		a := req.Addr + uint16(i)
		v, ok := d.holding[a]
		if !ok {
			v = holdingAt(a, t)
		}
		out[i] = v
	}
	return out, nil
}

// HandleInputRegisters implements mb.RequestHandler.
func (d *device) HandleInputRegisters(req *mb.InputRegistersRequest) ([]uint16, error) {
	if err := d.begin(req.Addr, req.Quantity); err != nil {
		return nil, err
	}
	since := time.Since(d.start)
	out := make([]uint16, req.Quantity)
	for i := range out {
		out[i] = inputAt(req.Addr+uint16(i), since)
	}
	return out, nil
}

// stats is a snapshot of the device's counters.
func (d *device) stats() DeviceStats {
	return DeviceStats{
		Port: d.port, Requests: d.requests.Load(), Registers: d.served.Load(), Writes: d.writes.Load(),
	}
}
