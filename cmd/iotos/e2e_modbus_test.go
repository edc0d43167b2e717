package main

import (
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	mb "github.com/simonvetter/modbus"
)

// mbBank is a Modbus device's memory for the test: holding registers and
// coils, unit-agnostic, written by the engine's requests.
type mbBank struct {
	mu      sync.Mutex
	holding map[uint16]uint16
	coils   map[uint16]bool
}

func (b *mbBank) HandleHoldingRegisters(req *mb.HoldingRegistersRequest) ([]uint16, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]uint16, req.Quantity)
	for i := range req.Quantity {
		if req.IsWrite {
			b.holding[req.Addr+i] = req.Args[i]
		}
		out[i] = b.holding[req.Addr+i]
	}
	return out, nil
}

func (b *mbBank) HandleCoils(req *mb.CoilsRequest) ([]bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]bool, req.Quantity)
	for i := range req.Quantity {
		if req.IsWrite {
			b.coils[req.Addr+i] = req.Args[i]
		}
		out[i] = b.coils[req.Addr+i]
	}
	return out, nil
}

func (b *mbBank) HandleInputRegisters(*mb.InputRegistersRequest) ([]uint16, error) {
	return nil, mb.ErrIllegalFunction
}

func (b *mbBank) HandleDiscreteInputs(*mb.DiscreteInputsRequest) ([]bool, error) {
	return nil, mb.ErrIllegalFunction
}

func (b *mbBank) set(addr uint16, regs ...uint16) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, r := range regs {
		b.holding[addr+uint16(i)] = r
	}
}

func (b *mbBank) regs(addr uint16, n int) []uint16 {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]uint16, n)
	for i := range out {
		out[i] = b.holding[addr+uint16(i)]
	}
	return out
}

func (b *mbBank) coil(addr uint16) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.coils[addr]
}

// startModbusBank serves b on a free loopback port until the test ends.
func startModbusBank(t *testing.T, b *mbBank) string {
	t.Helper()
	addr := freeAddr(t)
	srv, err := mb.NewServer(&mb.ServerConfiguration{URL: "tcp://" + addr, MaxClients: 8, Logger: log.New(io.Discard, "", 0)}, b)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for err = srv.Start(); err != nil; err = srv.Start() {
		if time.Now().After(deadline) {
			t.Fatalf("modbus server on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return addr
}

// regWords splits a 32-bit value into two registers, high word first (ABCD)
// or low word first (CDAB).
func regWords(v uint32, order string) []uint16 {
	hi, lo := uint16(v>>16), uint16(v)
	if order == "CDAB" {
		return []uint16{lo, hi}
	}
	return []uint16{hi, lo}
}

// TestModbusDeviceFromTable is issue 4's acceptance check against the real
// binaries: a Modbus TCP device with known registers, configured through a
// .tb table, shows the decoded values on the platform (float32 in both
// word orders, int16, uint32, coils), and writes made through the REST API
// land in the device's registers and coils.
func TestModbusDeviceFromTable(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	bank := &mbBank{holding: map[uint16]uint16{}, coils: map[uint16]bool{0: true, 1: false}}
	for addr, w := range map[uint16][]uint16{
		0: regWords(math.Float32bits(21.5), "ABCD"),
		2: regWords(math.Float32bits(-3.25), "CDAB"),
		4: {uint16(0xFB2E)}, // int16 -1234
		6: regWords(305419896, "ABCD"),
	} {
		bank.set(addr, w...)
	}
	addr := startModbusBank(t, bank)
	c, gw := runGatewayEngine(t, "plc-line", pmTable("plc-line", pmDevice("3c000001", "plc", "tcp://"+addr, 1)))
	pt := func(id string) string { return gw + ".3c000001." + id }

	want := map[string]any{"0001": 21.5, "0002": -3.25, "0003": -1234.0, "0004": 305419896.0, "0005": true, "0006": false}
	var mismatch string
	t.Cleanup(func() {
		if t.Failed() && mismatch != "" {
			t.Logf("last mismatch: %s", mismatch)
		}
	})
	eventually(t, 60*time.Second, "the device's values on the platform", func() bool {
		for id, v := range want {
			if s := currentValue(t, c, pt(id)); s.Quality != "good" || s.Value != v {
				mismatch = fmt.Sprintf("point %s = %v (%s), want %v", id, s.Value, s.Quality, v)
				return false
			}
		}
		return true
	})

	mustWritePoint(t, c, pt("0007"), 12.75)
	if got, w := bank.regs(10, 2), regWords(math.Float32bits(12.75), "CDAB"); got[0] != w[0] || got[1] != w[1] {
		t.Errorf("setpoint registers = %04x, want %04x (float32 CDAB)", got, w)
	}
	mustWritePoint(t, c, pt("0008"), true)
	if !bank.coil(2) {
		t.Error("valve coil 2 is off after writing true")
	}
	mustWritePoint(t, c, pt("0009"), -42)
	if got := bank.regs(12, 1)[0]; got != 0xFFD6 {
		t.Errorf("limit register = %04x, want ffd6 (int16 -42)", got)
	}
	eventually(t, 30*time.Second, "the written values polled back", func() bool {
		return currentValue(t, c, pt("0007")).Value == 12.75 && currentValue(t, c, pt("0008")).Value == true &&
			currentValue(t, c, pt("0009")).Value == -42.0
	})
	c.expectCode(515, http.StatusBadRequest, "PUT", "/api/v1/points/"+pt("0001")+"/value", map[string]any{"value": 1})
}

func mustWritePoint(t *testing.T, c *client, full string, v any) {
	t.Helper()
	status, env := c.do("PUT", "/api/v1/points/"+full+"/value", map[string]any{"value": v})
	if status != http.StatusOK || env.Code != 0 {
		t.Fatalf("write %v to %s: HTTP %d code %d %s %s", v, full, status, env.Code, env.Msg, env.Data)
	}
}
