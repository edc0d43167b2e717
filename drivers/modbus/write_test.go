package modbus

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

func point(id string, typ driver.Type, cfg map[string]any) driver.Point {
	raw, _ := json.Marshal(cfg)
	return driver.Point{ID: id, Name: id, Type: typ, Access: driver.ReadWrite, Config: raw}
}

// Every area and width: the write reaches the device's registers in the
// expected layout, and reading the point returns the written value.
func TestWriteReachesRegistersAndReadsBack(t *testing.T) {
	cases := []struct {
		name  string
		p     driver.Point
		value any
		area  area
		regs  []uint16 // expected registers from the point's address
	}{
		{"coil FC05", point("0001", driver.Bool, map[string]any{"area": "coil", "address": 4}), true, areaCoil, []uint16{1}},
		{"coil FC15", point("0002", driver.Bool, map[string]any{"area": "coil", "address": 5, "write_multiple": true, "verify": true}), true, areaCoil, []uint16{1}},
		{"uint16 FC06", point("0003", driver.Int, map[string]any{"area": "holding", "address": 10, "verify": true}), int64(65535), areaHolding, []uint16{0xFFFF}},
		{"int16 FC16", point("0004", driver.Int, map[string]any{"area": "holding", "address": 11, "type": "int16", "write_multiple": true}), int64(-2), areaHolding, []uint16{0xFFFE}},
		{"int32 CDAB", point("0005", driver.Int, map[string]any{"area": "holding", "address": 12, "type": "int32", "order": "CDAB", "verify": true}), int64(-123456789), areaHolding, []uint16{0x32EB, 0xF8A4}},
		{"uint32 BADC", point("0006", driver.Int, map[string]any{"area": "holding", "address": 14, "type": "uint32", "order": "BADC"}), int64(0x11223344), areaHolding, []uint16{0x2211, 0x4433}},
		{"float32", point("0007", driver.Float, map[string]any{"area": "holding", "address": 16, "type": "float32"}), 1.5, areaHolding, []uint16{0x3FC0, 0x0000}},
		{"float64 DCBA", point("0008", driver.Float, map[string]any{"area": "holding", "address": 18, "type": "float64", "order": "DCBA"}), 1.0, areaHolding, []uint16{0, 0, 0, 0xF03F}},
		{"int64", point("0009", driver.Int, map[string]any{"area": "holding", "address": 22, "type": "int64"}), int64(-1), areaHolding, []uint16{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}},
		{"uint64", point("000a", driver.Int, map[string]any{"area": "holding", "address": 26, "type": "uint64"}), int64(1) << 40, areaHolding, []uint16{0, 0x100, 0, 0}},
		{"string", point("000b", driver.String, map[string]any{"area": "holding", "address": 30, "type": "string", "length": 3, "verify": true}), "abc", areaHolding, []uint16{0x6162, 0x6300, 0}},
		{"scaled int16", point("000c", driver.Float, map[string]any{"area": "holding", "address": 40, "type": "int16", "scale": 0.5, "offset": -10}), 15.5, areaHolding, []uint16{51}},
		{"scaled INT rounds", point("000d", driver.Int, map[string]any{"area": "holding", "address": 41, "scale": 0.5}), int64(7), areaHolding, []uint16{14}},
		{"bool register", point("000e", driver.Bool, map[string]any{"area": "holding", "address": 42, "type": "bool"}), true, areaHolding, []uint16{1}},
		{"bit 3", point("000f", driver.Bool, map[string]any{"area": "holding", "address": 43, "bit": 3, "verify": true}), true, areaHolding, []uint16{0x8009}},
	}
	d := newDevice()
	d.set(1, areaHolding, 43, 0x8001) // other bits of the register must survive
	srv := startServer(t, d)
	var pts []driver.Point
	for _, c := range cases {
		pts = append(pts, c.p)
	}
	m := connected(t, deviceFor(srv.url(), nil, pts...))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := m.Write(ctxT(t), c.p, c.value)
			if err != nil || res.Code != 0 {
				t.Fatalf("Write: %+v, %v", res, err)
			}
			var addr int
			json.Unmarshal(must(c.p.Config, "address"), &addr)
			got := make([]uint16, len(c.regs))
			for i := range got {
				got[i] = d.get(1, c.area, uint16(addr+i))
			}
			if !slices.Equal(got, c.regs) {
				t.Fatalf("registers %04x, want %04x", got, c.regs)
			}
			s, err := m.ReadNow(ctxT(t), c.p)
			if err != nil || s.Quality != driver.Good || s.Value != c.value {
				t.Fatalf("read back %#v (%s, %v), want %#v", s.Value, s.Quality, err, c.value)
			}
		})
	}
}

func must(raw json.RawMessage, key string) json.RawMessage {
	var m map[string]json.RawMessage
	json.Unmarshal(raw, &m)
	return m[key]
}

func TestWriteErrors(t *testing.T) {
	d := newDevice()
	d.readOnly[7] = true
	d.unmap(areaHolding, 9)
	srv := startServer(t, d)
	input := point("0001", driver.Int, map[string]any{"area": "input", "address": 1})
	discrete := point("0002", driver.Bool, map[string]any{"area": "discrete", "address": 1})
	ignored := point("0003", driver.Int, map[string]any{"area": "holding", "address": 7, "verify": true})
	unmapped := point("0004", driver.Int, map[string]any{"area": "holding", "address": 9})
	small := point("0005", driver.Int, map[string]any{"area": "holding", "address": 1, "type": "int16"})
	text := point("0006", driver.String, map[string]any{"area": "holding", "address": 2, "type": "string", "length": 1})
	m := connected(t, deviceFor(srv.url(), nil, input, discrete, ignored, unmapped, small, text))

	for _, c := range []struct {
		p     driver.Point
		value any
		code  int
	}{
		{input, int64(1), codePropertyNotValid},
		{discrete, true, codePropertyNotValid},
		{ignored, int64(5), CodeVerifyMismatch},
		{unmapped, int64(5), codeExceptionBase + 2},
		{small, int64(40000), driver.CodeArgError},
		{text, "too long", driver.CodeArgError},
		{point("0099", driver.Int, nil), int64(1), driver.CodeArgError},
	} {
		_, err := m.Write(ctxT(t), c.p, c.value)
		if codeOfErr(err) != c.code {
			t.Errorf("write %s = %v: %v, want code %d", c.p.ID, c.value, err, c.code)
		}
	}
}
