package modbus

import (
	"fmt"

	"github.com/iotos/iotos/pkg/driver"
)

// area is a Modbus data area; each has its own address space and function
// codes.
type area uint8

const (
	areaHolding area = iota
	areaInput
	areaCoil
	areaDiscrete
)

var areaNames = map[string]area{"holding": areaHolding, "input": areaInput, "coil": areaCoil, "discrete": areaDiscrete}

func (a area) String() string {
	return [...]string{"holding", "input", "coil", "discrete"}[a]
}

// bits reports whether the area holds single bits rather than registers.
func (a area) bits() bool { return a == areaCoil || a == areaDiscrete }

// tag is a point compiled in Init: where it lives and how its value is
// decoded and encoded, so that a poll does only I/O and arithmetic.
type tag struct {
	id    string
	model driver.Type
	area  area
	unit  uint8
	addr  int // first register or bit
	size  int // registers or bits occupied
	bit   int // bit of a register, or -1

	verify, writeMultiple bool

	// decode turns the point's registers into its value (register areas).
	decode func(regs []uint16) (any, error)
	// encode turns a value into the point's registers (holding, not bit).
	encode func(v any) ([]uint16, error)
}

// compileTag validates a point's config.param and builds its codecs.
func compileTag(p driver.Point, defaultUnit uint8) (*tag, error) {
	var c pointConfig
	if err := driver.DecodeConfig(p.Config, &c); err != nil {
		return nil, err
	}
	t := &tag{id: p.ID, model: p.Type, unit: defaultUnit, bit: -1, verify: c.Verify, writeMultiple: c.WriteMultiple}
	var ok bool
	if t.area, ok = areaNames[c.Area]; !ok {
		return nil, argError("area %q: want holding, input, coil or discrete", c.Area)
	}
	if c.Address == nil || *c.Address < 0 || *c.Address > 0xFFFF {
		return nil, argError("address: want 0-65535")
	}
	t.addr = *c.Address
	if c.UnitID != nil {
		u, err := unitID(*c.UnitID)
		if err != nil {
			return nil, err
		}
		t.unit = u
	}
	if t.area.bits() {
		return t, compileBitArea(t, c)
	}
	return t, compileRegisters(t, c)
}

func compileBitArea(t *tag, c pointConfig) error {
	if c.Type != "" && c.Type != "bool" {
		return argError("type %q: a %s holds single bits, want bool", c.Type, t.area)
	}
	if c.Bit != nil || c.Scale != nil || c.Offset != 0 || c.Length != 0 || c.Order != "" {
		return argError("bit, scale, offset, length and order do not apply to a %s", t.area)
	}
	t.size = 1
	return nil
}

func compileRegisters(t *tag, c pointConfig) error {
	k, o, err := kindAndOrder(c)
	if err != nil {
		return err
	}
	sc := scaling{scale: 1}
	if c.Scale != nil {
		if *c.Scale == 0 {
			return argError("scale must not be 0")
		}
		sc.scale = *c.Scale
	}
	sc.offset = c.Offset
	sc.active = sc.scale != 1 || sc.offset != 0
	if sc.active && (k == kindBool || k == kindString) {
		return argError("scale and offset apply to numeric types, not %s", c.Type)
	}
	switch {
	case c.Bit != nil:
		return compileBit(t, c, k)
	case k == kindString:
		return compileString(t, c, o)
	case c.Length != 0:
		return argError("length applies to strings only")
	}
	t.size = k.registers()
	if t.addr+t.size > 0x10000 {
		return argError("address %d + %d registers passes 65535", t.addr, t.size)
	}
	model := t.model
	if k == kindBool {
		t.decode = func(r []uint16) (any, error) { return boolAs(model, r[0] != 0), nil }
		t.encode = func(v any) ([]uint16, error) { return encodeBool(v) }
		return nil
	}
	t.decode = func(r []uint16) (any, error) { return numberAs(model, sc.apply(decodeNumber(k, o, r))) }
	t.encode = func(v any) ([]uint16, error) {
		n, err := valueNumber(v)
		if err != nil {
			return nil, err
		}
		return encodeNumber(k, o, sc.invert(n))
	}
	return nil
}

func kindAndOrder(c pointConfig) (kind, order, error) {
	k := kindUint16
	if c.Bit != nil {
		k = kindBool
	}
	if c.Type != "" {
		var ok bool
		if k, ok = kindNames[c.Type]; !ok {
			return 0, order{}, argError("type %q: want bool, int16, uint16, int32, uint32, int64, uint64, float32, float64 or string", c.Type)
		}
	}
	o := order{}
	if c.Order != "" {
		var ok bool
		if o, ok = orderNames[c.Order]; !ok {
			return 0, order{}, argError("order %q: want ABCD, CDAB, BADC or DCBA", c.Order)
		}
	}
	return k, o, nil
}

func compileBit(t *tag, c pointConfig, k kind) error {
	if k != kindBool {
		return argError("bit reads a bool, not %s", c.Type)
	}
	if *c.Bit < 0 || *c.Bit > 15 {
		return argError("bit %d: want 0-15", *c.Bit)
	}
	t.bit, t.size = *c.Bit, 1
	model, mask := t.model, uint16(1)<<*c.Bit
	t.decode = func(r []uint16) (any, error) { return boolAs(model, r[0]&mask != 0), nil }
	return nil
}

func compileString(t *tag, c pointConfig, o order) error {
	if c.Length < 1 || c.Length > maxRegistersPerRead {
		return argError("length %d: a string needs 1-%d registers", c.Length, maxRegistersPerRead)
	}
	if t.addr+c.Length > 0x10000 {
		return argError("address %d + %d registers passes 65535", t.addr, c.Length)
	}
	t.size = c.Length
	model, length := t.model, c.Length
	t.decode = func(r []uint16) (any, error) {
		s, err := decodeString(o, r)
		if err != nil || model == driver.String || model == "" {
			return s, err
		}
		return driver.Convert(model, s)
	}
	t.encode = func(v any) ([]uint16, error) {
		s, err := driver.Convert(driver.String, v)
		if err != nil {
			return nil, err
		}
		return encodeString(o, s.(string), length)
	}
	return nil
}

func encodeBool(v any) ([]uint16, error) {
	b, err := driver.Convert(driver.Bool, v)
	if err != nil {
		return nil, err
	}
	if b.(bool) {
		return []uint16{1}, nil
	}
	return []uint16{0}, nil
}

// String identifies the tag in errors and logs.
func (t *tag) String() string {
	return fmt.Sprintf("point %s (unit %d %s %d)", t.id, t.unit, t.area, t.addr)
}
