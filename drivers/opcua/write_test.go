package opcua

import (
	"testing"

	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// TestWriteReadBack writes every variable type through points of matching
// and of other IOTOS types, and reads each value back from the server. The
// test server refuses a variant of any other type than the node's
// (BadTypeMismatch), so a successful write proves the conversion.
func TestWriteReadBack(t *testing.T) {
	srv := sharedServer(t)
	cases := []struct {
		name  string
		p     driver.Point
		value any
	}{
		{"double", point("0001", driver.Float, driver.ReadWrite, "ns=2;s=Setpoint", "", 0), 12.25},
		{"int32", point("0002", driver.Int, driver.ReadWrite, "ns=2;s=Count", "", 0), int64(-7)},
		{"int32 from FLOAT", point("0003", driver.Float, driver.ReadWrite, "ns=2;s=Count", "", 0), 5.0},
		{"uint16", point("0004", driver.Int, driver.ReadWrite, "ns=2;s=Mode", "", 0), int64(65535)},
		{"boolean", point("0005", driver.Bool, driver.ReadWrite, "ns=2;s=Running", "", 0), true},
		{"string", point("0006", driver.String, driver.ReadWrite, "ns=2;s=Label", "", 0), "valve 3"},
		{"double from STRING", point("0007", driver.String, driver.ReadWrite, "ns=2;s=Limits.High", "", 0), "75.5"},
	}
	var points []driver.Point
	for _, c := range cases {
		points = append(points, c.p)
	}
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint()}, points...))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := d.Write(testCtx(t), c.p, c.value)
			if err != nil || res.Code != 0 {
				t.Fatalf("Write %v: %+v, %v", c.value, res, err)
			}
			s, err := d.ReadNow(testCtx(t), c.p)
			if err != nil || s.Quality != driver.Good || s.Value != c.value {
				t.Fatalf("read back: %+v (%T), %v; want %v (%T)", s, s.Value, err, c.value, c.value)
			}
		})
	}
}

// TestWriteErrors: values the node cannot take and nodes that cannot be
// written fail with the matching code, and the node keeps its value.
func TestWriteErrors(t *testing.T) {
	srv := sharedServer(t)
	mode := point("0001", driver.Int, driver.ReadWrite, "ns=2;s=Mode", "", 0)
	cases := []struct {
		name  string
		p     driver.Point
		value any
		code  int
	}{
		{"out of range for UInt16", mode, int64(70000), driver.CodeTypeNotValid},
		{"negative UInt16", mode, int64(-1), driver.CodeTypeNotValid},
		{"fraction into Int32", point("0002", driver.Float, driver.ReadWrite, "ns=2;s=Count", "", 0), 2.5, driver.CodeTypeNotValid},
		{"read-only node", point("0003", driver.Float, driver.ReadWrite, "ns=2;s=Temperature", "", 0), 1.0, codePropertyNotValid},
		{"unknown node", point("0004", driver.Float, driver.ReadWrite, "ns=2;s=NoSuchNode", "", 0), 1.0, CodeNodeUnknown},
	}
	var points []driver.Point
	for _, c := range cases {
		points = append(points, c.p)
	}
	d, _ := connected(t, deviceFor(map[string]any{"endpoint": srv.endpoint()}, points...))
	if _, err := d.Write(testCtx(t), mode, int64(4)); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := d.Write(testCtx(t), c.p, c.value)
			if code := drivertest.ErrorCode(err); code != c.code {
				t.Fatalf("Write %v: %v (code %d), want code %d", c.value, err, code, c.code)
			}
		})
	}
	// The server's own check, which the conversion above relies on: a
	// variant of another type than the node's is refused with
	// BadTypeMismatch, reported as 516.
	err := d.writeNode(testCtx(t), d.current(), d.tags["0001"], ua.MustVariant(float64(4)), "raw write")
	if code := drivertest.ErrorCode(err); code != driver.CodeTypeNotValid {
		t.Fatalf("a Double variant into a UInt16 node: %v (code %d), want 516", err, code)
	}
	s, err := d.ReadNow(testCtx(t), mode)
	if err != nil || s.Value != int64(4) {
		t.Fatalf("Mode after refused writes: %+v, %v; want 4", s, err)
	}
}
