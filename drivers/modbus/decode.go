package modbus

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iotos/iotos/pkg/driver"
)

// kind is the on-the-wire encoding of a point's value.
type kind uint8

const (
	kindBool kind = iota
	kindInt16
	kindUint16
	kindInt32
	kindUint32
	kindInt64
	kindUint64
	kindFloat32
	kindFloat64
	kindString
)

var kindNames = map[string]kind{
	"bool": kindBool, "int16": kindInt16, "uint16": kindUint16, "int32": kindInt32,
	"uint32": kindUint32, "int64": kindInt64, "uint64": kindUint64,
	"float32": kindFloat32, "float64": kindFloat64, "string": kindString,
}

// registers is the number of 16-bit registers a fixed-width kind occupies.
func (k kind) registers() int {
	switch k {
	case kindInt32, kindUint32, kindFloat32:
		return 2
	case kindInt64, kindUint64, kindFloat64:
		return 4
	}
	return 1
}

// order is a byte order of multi-register values, as two independent swaps
// relative to big-endian ABCD: the order of the registers and the order of
// the two bytes inside each register.
type order struct{ wordSwap, byteSwap bool }

var orderNames = map[string]order{
	"ABCD": {}, "CDAB": {wordSwap: true}, "BADC": {byteSwap: true}, "DCBA": {wordSwap: true, byteSwap: true},
}

// toBytes writes regs into buf (2 bytes per register) as a big-endian value.
func (o order) toBytes(regs []uint16, buf []byte) {
	n := len(regs)
	for i, r := range regs {
		j := i
		if o.wordSwap {
			j = n - 1 - i
		}
		hi, lo := byte(r>>8), byte(r)
		if o.byteSwap {
			hi, lo = lo, hi
		}
		buf[2*j], buf[2*j+1] = hi, lo
	}
}

// fromBytes is the inverse of toBytes: it fills regs from a big-endian value.
func (o order) fromBytes(buf []byte, regs []uint16) {
	n := len(regs)
	for i := range regs {
		j := i
		if o.wordSwap {
			j = n - 1 - i
		}
		hi, lo := buf[2*j], buf[2*j+1]
		if o.byteSwap {
			hi, lo = lo, hi
		}
		regs[i] = uint16(hi)<<8 | uint16(lo)
	}
}

// number is a decoded numeric value: exact as an int64 when it fits, else a
// float64.
type number struct {
	i     int64
	f     float64
	isInt bool
}

func (n number) float() float64 {
	if n.isInt {
		return float64(n.i)
	}
	return n.f
}

// decodeNumber decodes a numeric kind from exactly k.registers() registers.
func decodeNumber(k kind, o order, regs []uint16) number {
	var buf [8]byte
	b := buf[:2*len(regs)]
	o.toBytes(regs, b)
	switch k {
	case kindInt16:
		return number{i: int64(int16(binary.BigEndian.Uint16(b))), isInt: true}
	case kindUint16:
		return number{i: int64(binary.BigEndian.Uint16(b)), isInt: true}
	case kindInt32:
		return number{i: int64(int32(binary.BigEndian.Uint32(b))), isInt: true}
	case kindUint32:
		return number{i: int64(binary.BigEndian.Uint32(b)), isInt: true}
	case kindInt64:
		return number{i: int64(binary.BigEndian.Uint64(b)), isInt: true}
	case kindUint64:
		u := binary.BigEndian.Uint64(b)
		if u > math.MaxInt64 {
			return number{f: float64(u)}
		}
		return number{i: int64(u), isInt: true}
	case kindFloat32:
		return number{f: float64(math.Float32frombits(binary.BigEndian.Uint32(b)))}
	case kindFloat64:
		return number{f: math.Float64frombits(binary.BigEndian.Uint64(b))}
	}
	return number{}
}

// decodeString decodes registers as text, two characters per register, and
// trims the NUL padding devices put around shorter strings.
func decodeString(o order, regs []uint16) (string, error) {
	b := make([]byte, 2*len(regs))
	o.toBytes(regs, b)
	s := strings.Trim(string(b), "\x00")
	if !utf8.ValidString(s) {
		return "", driver.Errorf(driver.CodeTypeNotValid, "string is not valid UTF-8: %q", s)
	}
	return s, nil
}

// scaling is the linear transform between raw and engineering values.
type scaling struct {
	scale, offset float64
	active        bool // false when scale is 1 and offset 0: integers stay exact
}

func (s scaling) apply(n number) number {
	if !s.active {
		return n
	}
	// The conversion keeps the compiler from fusing a multiply-add, so
	// results are the same on every architecture.
	return number{f: float64(n.float()*s.scale) + s.offset}
}

// invert turns an engineering value back into a raw one for a write.
func (s scaling) invert(n number) number {
	if !s.active {
		return n
	}
	return number{f: (n.float() - s.offset) / s.scale}
}

// numberAs converts a decoded number to the point's model type.
func numberAs(t driver.Type, n number) (any, error) {
	if !n.isInt && (math.IsNaN(n.f) || math.IsInf(n.f, 0)) {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "value %v is not a finite number", n.f)
	}
	switch t {
	case driver.Float:
		return n.float(), nil
	case driver.Bool:
		return n.float() != 0, nil
	case driver.String:
		if n.isInt {
			return strconv.FormatInt(n.i, 10), nil
		}
		return strconv.FormatFloat(n.f, 'g', -1, 64), nil
	case driver.Int:
		return roundInt(n)
	}
	if n.isInt {
		return n.i, nil
	}
	return n.f, nil
}

// roundInt rounds a scaled value for a point of model type INT.
func roundInt(n number) (any, error) {
	if n.isInt {
		return n.i, nil
	}
	r := math.Round(n.f)
	if r < math.MinInt64 || r >= math.MaxInt64 {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "value %v overflows INT", n.f)
	}
	return int64(r), nil
}

// boolAs converts a decoded bit to the point's model type.
func boolAs(t driver.Type, b bool) any {
	switch t {
	case driver.Int:
		if b {
			return int64(1)
		}
		return int64(0)
	case driver.Float:
		if b {
			return 1.0
		}
		return 0.0
	case driver.String:
		return strconv.FormatBool(b)
	}
	return b
}

// valueNumber turns a value the engine hands to Write into a number.
func valueNumber(v any) (number, error) {
	switch x := v.(type) {
	case int64:
		return number{i: x, isInt: true}, nil
	case float64:
		return number{f: x}, nil
	case bool:
		if x {
			return number{i: 1, isInt: true}, nil
		}
		return number{isInt: true}, nil
	}
	c, err := driver.Convert(driver.Float, v)
	if err != nil {
		return number{}, err
	}
	return number{f: c.(float64)}, nil
}

// kindRange is the raw range each integer kind can hold.
var kindRange = map[kind][2]float64{
	kindInt16: {math.MinInt16, math.MaxInt16}, kindUint16: {0, math.MaxUint16},
	kindInt32: {math.MinInt32, math.MaxInt32}, kindUint32: {0, math.MaxUint32},
	kindInt64: {math.MinInt64, math.MaxInt64}, kindUint64: {0, math.MaxUint64},
	kindFloat32: {-math.MaxFloat32, math.MaxFloat32}, kindFloat64: {-math.MaxFloat64, math.MaxFloat64},
}

// encodeNumber encodes a raw number as k in order o. Integer kinds round a
// fractional value; a value outside the kind's range is an error (code 105).
func encodeNumber(k kind, o order, n number) ([]uint16, error) {
	var buf [8]byte
	regs := make([]uint16, k.registers())
	b := buf[:2*len(regs)]
	if err := checkRange(k, n); err != nil {
		return nil, err
	}
	switch k {
	case kindFloat32:
		binary.BigEndian.PutUint32(b, math.Float32bits(float32(n.float())))
	case kindFloat64:
		binary.BigEndian.PutUint64(b, math.Float64bits(n.float()))
	default:
		putInt(k, n, b)
	}
	o.fromBytes(b, regs)
	return regs, nil
}

func checkRange(k kind, n number) error {
	if !n.isInt && (math.IsNaN(n.f) || math.IsInf(n.f, 0)) {
		return argError("value %v is not a finite number", n.f)
	}
	r := kindRange[k]
	if n.isInt {
		if k == kindUint64 && n.i >= 0 || k == kindInt64 {
			return nil
		}
		if float64(n.i) < r[0] || float64(n.i) > r[1] {
			return argError("value %d out of range for the register type", n.i)
		}
		return nil
	}
	f := n.f
	if k != kindFloat32 && k != kindFloat64 {
		f = math.Round(f)
	}
	// MaxInt64 and MaxUint64 round up as floats, so their bound is exclusive.
	if f < r[0] || f > r[1] || (k == kindInt64 || k == kindUint64) && f >= r[1] {
		return argError("value %v out of range for the register type", n.f)
	}
	return nil
}

func putInt(k kind, n number, b []byte) {
	var u uint64
	switch {
	case n.isInt:
		u = uint64(n.i)
	case k == kindUint64 && n.f >= math.MaxInt64:
		u = uint64(math.Round(n.f))
	default:
		u = uint64(int64(math.Round(n.f)))
	}
	switch len(b) {
	case 2:
		binary.BigEndian.PutUint16(b, uint16(u))
	case 4:
		binary.BigEndian.PutUint32(b, uint32(u))
	default:
		binary.BigEndian.PutUint64(b, u)
	}
}

// encodeString pads s with NULs to length registers.
func encodeString(o order, s string, length int) ([]uint16, error) {
	if len(s) > 2*length {
		return nil, argError("string of %d bytes does not fit %d registers", len(s), length)
	}
	b := make([]byte, 2*length)
	copy(b, s)
	regs := make([]uint16, length)
	o.fromBytes(b, regs)
	return regs, nil
}
