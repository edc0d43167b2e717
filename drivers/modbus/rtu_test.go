package modbus

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// crc16 is the Modbus RTU checksum, written out here so the test does not
// trust the library it checks.
func crc16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, x := range b {
		crc ^= uint16(x)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xA001
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

// serveRTU answers FC03 requests in RTU framing over TCP (what serial
// gateways do): register n holds 1000+n.
func serveRTU(t *testing.T, ln net.Listener) {
	conn, err := ln.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	req := make([]byte, 8)
	for {
		if _, err := io.ReadFull(conn, req); err != nil {
			return
		}
		if crc16(req[:6]) != binary.LittleEndian.Uint16(req[6:]) || req[1] != 3 {
			t.Errorf("bad RTU request % x", req)
			return
		}
		addr, qty := binary.BigEndian.Uint16(req[2:]), binary.BigEndian.Uint16(req[4:])
		res := []byte{req[0], 3, byte(2 * qty)}
		for i := range qty {
			res = binary.BigEndian.AppendUint16(res, 1000+addr+i)
		}
		res = binary.LittleEndian.AppendUint16(res, crc16(res))
		if _, err := conn.Write(res); err != nil {
			return
		}
	}
}

func TestRTUOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); serveRTU(t, ln) }()
	t.Cleanup(func() { ln.Close(); <-done })

	pts := []driver.Point{
		point("0001", driver.Int, map[string]any{"area": "holding", "address": 5}),
		point("0002", driver.Int, map[string]any{"area": "holding", "address": 6, "type": "uint32"}),
	}
	m := connected(t, deviceFor("rtuovertcp://"+ln.Addr().String(), map[string]any{"unit_id": 17}, pts...))
	s, err := m.Read(ctxT(t), pts)
	if err != nil {
		t.Fatal(err)
	}
	if s[0].Value != int64(1005) || s[1].Value != int64(1006<<16|1007) {
		t.Fatalf("samples %+v", s)
	}
	var de *driver.Error
	m.Close()
	ln.Close()
	<-done
	if _, err := m.Read(ctxT(t), pts); !errors.As(err, &de) || de.Code != driver.CodeNetError {
		t.Fatalf("read after close: %v, want a *driver.Error 504", err)
	}
}
