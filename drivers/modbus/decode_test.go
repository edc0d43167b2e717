package modbus

import (
	"math"
	"slices"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// FuzzDecode decodes arbitrary registers as every kind and order: decoding
// never panics, and a decoded value encodes back to the same registers.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}, uint8(kindFloat64), uint8(3))
	f.Add([]byte{0x7f, 0xc0, 0, 0}, uint8(kindFloat32), uint8(0))
	f.Add([]byte("hello\x00"), uint8(kindString), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, k, o uint8) {
		kd := kind(k % uint8(kindString+1))
		ord := []order{{}, {wordSwap: true}, {byteSwap: true}, {wordSwap: true, byteSwap: true}}[o%4]
		regs := make([]uint16, len(data)/2)
		for i := range regs {
			regs[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		}
		switch kd {
		case kindBool:
			return
		case kindString:
			fuzzString(t, ord, regs)
			return
		}
		if len(regs) < kd.registers() {
			return
		}
		regs = regs[:kd.registers()]
		n := decodeNumber(kd, ord, regs)
		for _, typ := range []driver.Type{driver.Int, driver.Float, driver.Bool, driver.String, ""} {
			numberAs(typ, n) // must not panic
		}
		if !n.isInt && (math.IsNaN(n.f) || math.IsInf(n.f, 0) || kd == kindUint64) {
			return // NaN payloads and uint64 beyond int64 do not round-trip exactly
		}
		back, err := encodeNumber(kd, ord, n)
		if err != nil || !slices.Equal(back, regs) {
			t.Fatalf("%v %v: %04x decoded to %+v, encoded back to %04x (%v)", kd, ord, regs, n, back, err)
		}
	})
}

func fuzzString(t *testing.T, o order, regs []uint16) {
	if len(regs) == 0 {
		return
	}
	s, err := decodeString(o, regs)
	if err != nil {
		return
	}
	back, err := encodeString(o, s, len(regs))
	if err != nil {
		t.Fatalf("decoded %q from %d registers but it does not fit back: %v", s, len(regs), err)
	}
	again, err := decodeString(o, back)
	if err != nil || again != s {
		t.Fatalf("%q encoded and decoded to %q (%v)", s, again, err)
	}
}

func TestEncodeRange(t *testing.T) {
	for _, c := range []struct {
		k  kind
		n  number
		ok bool
	}{
		{kindInt16, number{i: 32767, isInt: true}, true},
		{kindInt16, number{i: 32768, isInt: true}, false},
		{kindInt16, number{f: -32768.4}, true},
		{kindInt16, number{f: -32768.6}, false},
		{kindUint16, number{i: -1, isInt: true}, false},
		{kindUint16, number{i: 65535, isInt: true}, true},
		{kindUint32, number{i: 1 << 32, isInt: true}, false},
		{kindInt32, number{i: math.MinInt32, isInt: true}, true},
		{kindInt64, number{i: math.MinInt64, isInt: true}, true},
		{kindInt64, number{f: 9.3e18}, false},
		{kindUint64, number{i: -1, isInt: true}, false},
		{kindUint64, number{f: 1.8e19}, true},
		{kindUint64, number{f: 1.9e19}, false},
		{kindFloat32, number{f: 1e39}, false},
		{kindFloat32, number{f: -1e38}, true},
		{kindFloat64, number{f: math.NaN()}, false},
		{kindFloat64, number{f: math.Inf(1)}, false},
	} {
		_, err := encodeNumber(c.k, order{}, c.n)
		if (err == nil) != c.ok {
			t.Errorf("encode %+v as kind %d: %v, want ok=%v", c.n, c.k, err, c.ok)
		}
	}
}

// Encoding 1.8e19 as uint64 must keep the value, not wrap through int64.
func TestEncodeLargeUint64(t *testing.T) {
	regs, err := encodeNumber(kindUint64, order{}, number{f: 1.8e19})
	if err != nil {
		t.Fatal(err)
	}
	if n := decodeNumber(kindUint64, order{}, regs); n.isInt || n.f != 1.8e19 {
		t.Fatalf("decoded %+v", n)
	}
}
