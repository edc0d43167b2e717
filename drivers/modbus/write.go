package modbus

import (
	"context"
	"fmt"
	"slices"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// codePropertyNotValid is the canonical code for a write to a read-only
// point (DESIGN.md §4, 515).
const codePropertyNotValid = 515

// Write writes one point with the function code its area and width call
// for: FC05 (coil), FC06 (one register), FC15/FC16 (write_multiple or more
// than one register). A bit of a register is read, modified and written
// back. With verify the value is read back and compared.
func (m *Modbus) Write(ctx context.Context, p driver.Point, value any) (driver.Result, error) {
	t, ok := m.tags[p.ID]
	if !ok {
		return driver.Result{}, argError("device %s point %s: not configured", m.devID, p.ID)
	}
	if t.area == areaInput || t.area == areaDiscrete {
		return driver.Result{}, driver.Errorf(codePropertyNotValid, "%s is read-only", t)
	}
	if err := ctx.Err(); err != nil {
		return driver.Result{}, driver.Errorf(driver.CodeTimeout, "%s write: %v", t, err)
	}
	s, err := m.begin(ctx)
	if err != nil {
		return driver.Result{}, err
	}
	err = s.writeTag(t, value)
	s.end(err)
	if err != nil {
		return driver.Result{}, err
	}
	return driver.OK(value), nil
}

// writeTag holds the session for the whole write, so a read-modify-write
// and a read-back are not interleaved with other devices on a shared line.
func (s *session) writeTag(t *tag, value any) error {
	if err := s.c.SetUnitId(t.unit); err != nil {
		return newLinkError(t.String(), err)
	}
	switch {
	case t.area == areaCoil:
		return s.writeCoil(t, value)
	case t.bit >= 0:
		return s.writeBit(t, value)
	}
	return s.writeRegisters(t, value)
}

func (s *session) writeCoil(t *tag, value any) error {
	v, err := driver.Convert(driver.Bool, value)
	if err != nil {
		return err
	}
	on := v.(bool)
	if t.writeMultiple {
		err = s.write(func(c *mb.ModbusClient) error { return c.WriteCoils(uint16(t.addr), []bool{on}) })
	} else {
		err = s.write(func(c *mb.ModbusClient) error { return c.WriteCoil(uint16(t.addr), on) })
	}
	if err != nil {
		return wrapFailure(t.String()+" write", err, false)
	}
	if !t.verify {
		return nil
	}
	back, err := s.readCoils(uint16(t.addr), 1)
	if err != nil {
		return wrapFailure(t.String()+" read-back", err, false)
	}
	return compare(t, back[0], on)
}

// writeBit sets one bit of a holding register. The read-modify-write is not
// atomic on the device: a bit written by someone else in between is lost,
// which is inherent to Modbus (FC22 mask write is rarely implemented).
func (s *session) writeBit(t *tag, value any) error {
	v, err := driver.Convert(driver.Bool, value)
	if err != nil {
		return err
	}
	cur, err := s.readRegisters(uint16(t.addr), 1, mb.HOLDING_REGISTER)
	if err != nil {
		return wrapFailure(t.String()+" read before write", err, false)
	}
	mask := uint16(1) << t.bit
	next := cur[0] &^ mask
	if v.(bool) {
		next |= mask
	}
	return s.putRegisters(t, []uint16{next})
}

func (s *session) writeRegisters(t *tag, value any) error {
	regs, err := t.encode(value)
	if err != nil {
		return fmt.Errorf("%s: %w", t, err)
	}
	return s.putRegisters(t, regs)
}

func (s *session) putRegisters(t *tag, regs []uint16) error {
	var err error
	if len(regs) == 1 && !t.writeMultiple {
		err = s.write(func(c *mb.ModbusClient) error { return c.WriteRegister(uint16(t.addr), regs[0]) })
	} else {
		err = s.write(func(c *mb.ModbusClient) error { return c.WriteRegisters(uint16(t.addr), regs) })
	}
	if err != nil {
		return wrapFailure(t.String()+" write", err, false)
	}
	if !t.verify {
		return nil
	}
	back, err := s.readRegisters(uint16(t.addr), uint16(len(regs)), mb.HOLDING_REGISTER)
	if err != nil {
		return wrapFailure(t.String()+" read-back", err, false)
	}
	if t.bit >= 0 {
		mask := uint16(1) << t.bit
		return compare(t, back[0]&mask, regs[0]&mask)
	}
	if !slices.Equal(back, regs) {
		return driver.Errorf(CodeVerifyMismatch, "%s: read back %v after writing %v", t, back, regs)
	}
	return nil
}

func compare[T comparable](t *tag, got, want T) error {
	if got != want {
		return driver.Errorf(CodeVerifyMismatch, "%s: read back %v after writing %v", t, got, want)
	}
	return nil
}
