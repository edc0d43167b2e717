package modbus

import (
	"context"
	"errors"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// session is exclusive use of a Modbus client for one or more requests:
// a poll's request, or a write with its read-before and read-back. On a
// shared serial link it holds the wire, so the unit ID it sets and the
// requests it sends cannot interleave with another device's, and it spaces
// every request by the link's delay_between_requests.
type session struct {
	ctx   context.Context
	devID string
	c     *mb.ModbusClient
	link  *serialLink // nil on a connection of the device's own
	gen   int         // the link's generation when the session began
}

// begin starts a session, waiting for the shared wire if there is one.
func (m *Modbus) begin(ctx context.Context) (*session, error) {
	if m.link == nil {
		if m.client == nil {
			return nil, newLinkError("device "+m.devID, errNotConnected)
		}
		return &session{ctx: ctx, devID: m.devID, c: m.client}, nil
	}
	if err := m.link.acquire(ctx, m.devID); err != nil {
		return nil, err
	}
	if m.link.client == nil {
		m.link.release()
		return nil, newLinkError("device "+m.devID+" "+m.link.path, errNotConnected)
	}
	return &session{ctx: ctx, devID: m.devID, c: m.link.client, link: m.link, gen: m.link.gen}, nil
}

// end releases the wire. A link error drops the shared client once: the
// devices that meet the dropped client reconnect, and the first one to do
// so reopens the port for all.
func (s *session) end(err error) {
	if s.link == nil {
		return
	}
	var de *driver.Error
	broken := errors.Is(err, driver.ErrReconnect) || (err != nil && !errors.As(err, &de) && classify(err) == failLink)
	if broken && s.link.gen == s.gen {
		s.link.drop()
	}
	s.link.last = time.Now()
	s.link.release()
}

// pace waits until the link's delay has passed since the previous request.
func (s *session) pace() error {
	if s.link == nil {
		return nil
	}
	wait := time.Until(s.link.last.Add(time.Duration(s.link.pace.Load())))
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-s.ctx.Done():
		return driver.Errorf(driver.CodeTimeout, "device %s: %v", s.devID, s.ctx.Err())
	}
}

// send paces and runs one request, recording when it ended.
func send[T any](s *session, req func(*mb.ModbusClient) (T, error)) (T, error) {
	if err := s.pace(); err != nil {
		var zero T
		return zero, err
	}
	v, err := req(s.c)
	if s.link != nil {
		s.link.last = time.Now()
	}
	return v, err
}

func (s *session) readRegisters(addr, n uint16, typ mb.RegType) ([]uint16, error) {
	return send(s, func(c *mb.ModbusClient) ([]uint16, error) { return c.ReadRegisters(addr, n, typ) })
}

func (s *session) readCoils(addr, n uint16) ([]bool, error) {
	return send(s, func(c *mb.ModbusClient) ([]bool, error) { return c.ReadCoils(addr, n) })
}

func (s *session) readDiscreteInputs(addr, n uint16) ([]bool, error) {
	return send(s, func(c *mb.ModbusClient) ([]bool, error) { return c.ReadDiscreteInputs(addr, n) })
}

func (s *session) write(req func(*mb.ModbusClient) error) error {
	_, err := send(s, func(c *mb.ModbusClient) (struct{}, error) { return struct{}{}, req(c) })
	return err
}
