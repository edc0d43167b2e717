package modbus

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iotos/iotos/pkg/driver"
	mb "github.com/simonvetter/modbus"
)

// Protocol limits from the Modbus application protocol specification: a read
// returns at most 125 registers (FC03/04) or 2000 bits (FC01/02).
const (
	maxRegistersPerRead = 125
	maxBitsPerRead      = 2000
)

// deviceConfig is a device's config.param.
type deviceConfig struct {
	URL                  string          `json:"url"`
	UnitID               *int            `json:"unit_id"`
	Timeout              driver.Duration `json:"timeout"`
	MaxRegisters         int             `json:"max_registers"`
	MaxBits              int             `json:"max_bits"`
	MaxGap               *int            `json:"max_gap"`
	DelayBetweenRequests driver.Duration `json:"delay_between_requests"`
}

// pointConfig is a point's config.param.
type pointConfig struct {
	Area          string   `json:"area"`
	Address       *int     `json:"address"`
	Type          string   `json:"type"`
	Order         string   `json:"order"`
	Bit           *int     `json:"bit"`
	Length        int      `json:"length"`
	Scale         *float64 `json:"scale"`
	Offset        float64  `json:"offset"`
	UnitID        *int     `json:"unit_id"`
	Verify        bool     `json:"verify"`
	WriteMultiple bool     `json:"write_multiple"`
}

// Defaults of the device config, shared by the spec and the decoder so the
// documented default is the applied one.
const (
	defaultUnitID  = 1
	defaultTimeout = time.Second
	defaultMaxGap  = 10
)

// spec is the driver's configuration schema; the console renders forms and
// the README's reference table from it.
var spec = driver.Spec{
	Description: "Modbus TCP, RTU over TCP and RTU (serial) master with a block-read planner.",
	Device: []driver.Field{
		{Name: "url", Type: driver.FieldString, Required: true,
			Description: "tcp://host:port, rtuovertcp://host:port or rtu:///dev/ttyUSB0?baud=9600&parity=N&stop=1&data=8"},
		{Name: "unit_id", Type: driver.FieldInt, Default: defaultUnitID,
			Description: "Modbus unit (slave) ID, 0-255; points may override it"},
		{Name: "timeout", Type: driver.FieldDuration, Default: defaultTimeout.String(),
			Description: "how long to wait for each response"},
		{Name: "max_registers", Type: driver.FieldInt, Default: maxRegistersPerRead,
			Description: "most registers per read request (1-125); lower it for devices with small buffers"},
		{Name: "max_bits", Type: driver.FieldInt, Default: maxBitsPerRead,
			Description: "most coils or discrete inputs per read request (1-2000)"},
		{Name: "max_gap", Type: driver.FieldInt, Default: defaultMaxGap,
			Description: "unused registers worth reading through to merge two blocks into one request (16 bits count as one register for coils)"},
		{Name: "delay_between_requests", Type: driver.FieldDuration, Default: "0s",
			Description: "pause between two requests, for devices or serial gateways that need it; on a serial port shared by several devices the longest of their delays applies between any two requests"},
	},
	Point: []driver.Field{
		{Name: "area", Type: driver.FieldEnum, Required: true, Enum: []string{"holding", "input", "coil", "discrete"},
			Description: "register area: holding (FC03/06/16), input (FC04), coil (FC01/05/15), discrete (FC02)"},
		{Name: "address", Type: driver.FieldInt, Required: true,
			Description: "0-based register or bit address"},
		{Name: "type", Type: driver.FieldEnum,
			Enum:        []string{"bool", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"},
			Description: "value encoding; default bool for coil/discrete and bit points, uint16 otherwise"},
		{Name: "order", Type: driver.FieldEnum, Default: "ABCD", Enum: []string{"ABCD", "CDAB", "BADC", "DCBA"},
			Description: "byte order of multi-register values: ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA little-endian"},
		{Name: "bit", Type: driver.FieldInt,
			Description: "read one bit (0 = least significant) of a 16-bit register as a bool; writes do read-modify-write"},
		{Name: "length", Type: driver.FieldInt,
			Description: "registers of a string (two characters each)"},
		{Name: "scale", Type: driver.FieldFloat, Default: 1.0,
			Description: "value = raw × scale + offset on read; inverted on write"},
		{Name: "offset", Type: driver.FieldFloat, Default: 0.0,
			Description: "added after scale on read; subtracted before it on write"},
		{Name: "unit_id", Type: driver.FieldInt,
			Description: "unit ID of this point, overriding the device's"},
		{Name: "verify", Type: driver.FieldBool, Default: false,
			Description: "read the value back after a write and fail with code 1100 if it differs"},
		{Name: "write_multiple", Type: driver.FieldBool, Default: false,
			Description: "write with FC15/FC16 even for one coil or register, for devices without FC05/FC06"},
	},
}

// settings is the validated device configuration.
type settings struct {
	client       mb.ClientConfiguration
	unitID       uint8
	maxRegisters int
	maxBits      int
	maxGap       int
	delay        time.Duration
}

// parseDevice decodes and validates a device's config.param.
func parseDevice(raw json.RawMessage) (settings, error) {
	var c deviceConfig
	if err := driver.DecodeConfig(raw, &c); err != nil {
		return settings{}, err
	}
	s := settings{
		unitID:       defaultUnitID,
		maxRegisters: orDefault(c.MaxRegisters, maxRegistersPerRead),
		maxBits:      orDefault(c.MaxBits, maxBitsPerRead),
		maxGap:       defaultMaxGap,
		delay:        time.Duration(c.DelayBetweenRequests),
	}
	var err error
	if s.client, err = clientConfig(c.URL); err != nil {
		return settings{}, err
	}
	s.client.Timeout = time.Duration(c.Timeout)
	if s.client.Timeout == 0 {
		s.client.Timeout = defaultTimeout
	}
	if c.UnitID != nil {
		if s.unitID, err = unitID(*c.UnitID); err != nil {
			return settings{}, err
		}
	}
	if c.MaxGap != nil {
		s.maxGap = *c.MaxGap
	}
	return s, s.validate()
}

func (s settings) validate() error {
	switch {
	case s.maxRegisters < 1 || s.maxRegisters > maxRegistersPerRead:
		return argError("max_registers %d: want 1-%d", s.maxRegisters, maxRegistersPerRead)
	case s.maxBits < 1 || s.maxBits > maxBitsPerRead:
		return argError("max_bits %d: want 1-%d", s.maxBits, maxBitsPerRead)
	case s.maxGap < 0:
		return argError("max_gap %d: want 0 or more", s.maxGap)
	case s.client.Timeout < 0 || s.delay < 0:
		return argError("timeout and delay_between_requests must not be negative")
	}
	return nil
}

// clientConfig turns the url into the library's configuration. Serial
// parameters travel as query parameters of an rtu:// URL.
func clientConfig(raw string) (mb.ClientConfiguration, error) {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return mb.ClientConfiguration{}, argError("url %q: want tcp://host:port, rtuovertcp://host:port or rtu:///dev/tty…", raw)
	}
	switch u.Scheme {
	case "tcp", "rtuovertcp":
		if u.Host == "" || u.Port() == "" {
			return mb.ClientConfiguration{}, argError("url %q: host and port are required", raw)
		}
		return mb.ClientConfiguration{URL: u.Scheme + "://" + u.Host}, nil
	case "rtu":
		return serialConfig(u)
	}
	return mb.ClientConfiguration{}, argError("url %q: unsupported scheme %q", raw, u.Scheme)
}

func serialConfig(u *url.URL) (mb.ClientConfiguration, error) {
	if u.Path == "" {
		return mb.ClientConfiguration{}, argError("url %q: a serial device path is required", u)
	}
	c := mb.ClientConfiguration{URL: "rtu://" + u.Path}
	q := u.Query()
	var err error
	if c.Speed, err = queryUint(q, "baud", 9600); err != nil {
		return c, err
	}
	if c.DataBits, err = queryUint(q, "data", 8); err != nil {
		return c, err
	}
	if c.StopBits, err = queryUint(q, "stop", 1); err != nil {
		return c, err
	}
	switch strings.ToUpper(q.Get("parity")) {
	case "", "N":
		c.Parity = mb.PARITY_NONE
	case "E":
		c.Parity = mb.PARITY_EVEN
	case "O":
		c.Parity = mb.PARITY_ODD
	default:
		return c, argError("url: parity %q: want N, E or O", q.Get("parity"))
	}
	return c, nil
}

func queryUint(q url.Values, key string, def uint) (uint, error) {
	s := q.Get(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		return 0, argError("url: %s %q: want a positive integer", key, s)
	}
	return uint(n), nil
}

func unitID(n int) (uint8, error) {
	if n < 0 || n > 255 {
		return 0, argError("unit_id %d: want 0-255", n)
	}
	return uint8(n), nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func argError(format string, args ...any) error {
	return driver.Errorf(driver.CodeArgError, format, args...)
}
