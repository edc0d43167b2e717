package sim

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	mb "github.com/simonvetter/modbus"
)

func client(t *testing.T, addr string) *mb.ModbusClient {
	t.Helper()
	c, err := mb.NewClient(&mb.ClientConfiguration{URL: "tcp://" + addr, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSimValuesWritesAndStats(t *testing.T) {
	s, err := Start(Options{Devices: 2, Registers: 100, HTTP: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Addrs()) != 2 {
		t.Fatalf("addrs = %v", s.Addrs())
	}
	c := client(t, s.Addrs()[1])

	regs, err := c.ReadRegisters(0, 100, mb.HOLDING_REGISTER)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(regs); i++ {
		if regs[i] != regs[i-1]+1 {
			t.Fatalf("holding %d = %d after %d: want consecutive counters", i, regs[i], regs[i-1])
		}
	}
	if err := c.WriteRegisters(10, []uint16{7, 8}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCoil(3, true); err != nil {
		t.Fatal(err)
	}
	back, err := c.ReadRegisters(10, 2, mb.HOLDING_REGISTER)
	if err != nil || back[0] != 7 || back[1] != 8 {
		t.Fatalf("read back %v, %v: want [7 8]", back, err)
	}
	// The written coil keeps its value while unwritten ones toggle.
	for range 3 {
		coil, err := c.ReadCoil(3)
		if err != nil || !coil {
			t.Fatalf("coil 3 = %v, %v: want true", coil, err)
		}
		time.Sleep(tick)
	}
	if _, err := c.ReadRegisters(99, 2, mb.INPUT_REGISTER); !errors.Is(err, mb.ErrIllegalDataAddress) {
		t.Fatalf("read past the end: %v, want illegal data address", err)
	}

	st := s.Stats()
	if st[0].Requests != 0 || st[1].Requests != 8 || st[1].Writes != 2 {
		t.Fatalf("stats = %+v", st)
	}
	if st[1].Registers != 100+2+1+2+3 {
		t.Fatalf("registers served = %d, want 108", st[1].Registers)
	}

	resp, err := http.Get("http://" + s.HTTPAddr() + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []DeviceStats
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != st[1] {
		t.Fatalf("HTTP stats = %+v, want %+v", got, st)
	}
}

func TestSimValuesChangeOverTime(t *testing.T) {
	s, err := Start(Options{Registers: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := client(t, s.Addrs()[0])
	first, err := c.ReadRegister(0, mb.HOLDING_REGISTER)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := c.ReadRegister(0, mb.HOLDING_REGISTER)
		if err != nil {
			t.Fatal(err)
		}
		if v != first {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("holding register 0 never changed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSimConsecutivePorts(t *testing.T) {
	probe, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := probe.devices[0].port
	probe.Close()
	s, err := Start(Options{Devices: 3, Port: base})
	if err != nil {
		t.Fatalf("ports from %d: %v", base, err)
	}
	defer s.Close()
	for i, st := range s.Stats() {
		if st.Port != base+i {
			t.Fatalf("device %d on port %d, want %d", i, st.Port, base+i)
		}
	}
	client(t, s.Addrs()[2])
}

func TestSimOptionsValidated(t *testing.T) {
	for _, o := range []Options{{Devices: -1}, {Registers: 70000}, {Port: 65535, Devices: 2}, {Delay: -time.Second}} {
		if s, err := Start(o); err == nil {
			s.Close()
			t.Fatalf("Start(%+v) succeeded", o)
		}
	}
}
