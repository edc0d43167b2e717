package opcua

import (
	"math"
	"testing"
	"time"

	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

func TestPointValue(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		typ  driver.Type
		in   any
		want any
	}{
		{driver.Float, float32(0.1), 0.1},
		{driver.Float, float64(2.5), 2.5},
		{driver.Float, int16(-3), -3.0},
		{driver.Int, uint8(200), int64(200)},
		{driver.Int, int32(-70000), int64(-70000)},
		{driver.Int, uint32(math.MaxUint32), int64(math.MaxUint32)},
		{driver.Int, uint64(math.MaxInt64), int64(math.MaxInt64)},
		{driver.Int, int8(-1), int64(-1)},
		{driver.Int, 4.0, int64(4)},
		{driver.Bool, true, true},
		{driver.Bool, uint16(1), true},
		{driver.String, "x", "x"},
		{driver.String, ts, "2026-01-02T03:04:05Z"},
		{driver.String, &ua.LocalizedText{Text: "hello"}, "hello"},
		{driver.String, ua.NewStringNodeID(2, "A"), "ns=2;s=A"},
		{driver.String, 1.5, "1.5"},
	}
	for _, c := range cases {
		got, err := pointValue(c.typ, c.in)
		if err != nil || got != c.want {
			t.Errorf("pointValue(%s, %v %T) = %v (%T), %v; want %v (%T)", c.typ, c.in, c.in, got, got, err, c.want, c.want)
		}
	}
}

func TestPointValueRejects(t *testing.T) {
	cases := []struct {
		typ driver.Type
		in  any
	}{
		{driver.Int, uint64(math.MaxInt64) + 1},
		{driver.Int, 2.5},
		{driver.Int, "pump"},
		{driver.Bool, int32(2)},
		{driver.Float, nil},
		{driver.Float, []float64{1, 2}},
		{driver.String, []byte("raw")},
		{driver.Float, math.NaN()},
	}
	for _, c := range cases {
		if got, err := pointValue(c.typ, c.in); drivertest.ErrorCode(err) != driver.CodeTypeNotValid {
			t.Errorf("pointValue(%s, %v %T) = %v, %v; want a 516 error", c.typ, c.in, c.in, got, err)
		}
	}
}

func TestNodeValue(t *testing.T) {
	cases := []struct {
		typ  ua.TypeID
		in   any
		want any
	}{
		{ua.TypeIDBoolean, true, true},
		{ua.TypeIDBoolean, int64(0), false},
		{ua.TypeIDSByte, int64(-128), int8(-128)},
		{ua.TypeIDByte, int64(255), uint8(255)},
		{ua.TypeIDInt16, 12.0, int16(12)},
		{ua.TypeIDUint16, int64(65535), uint16(65535)},
		{ua.TypeIDInt32, "-5", int32(-5)},
		{ua.TypeIDUint32, int64(math.MaxUint32), uint32(math.MaxUint32)},
		{ua.TypeIDInt64, int64(math.MinInt64), int64(math.MinInt64)},
		{ua.TypeIDUint64, int64(7), uint64(7)},
		{ua.TypeIDFloat, 0.5, float32(0.5)},
		{ua.TypeIDDouble, int64(3), 3.0},
		{ua.TypeIDString, 2.5, "2.5"},
		{ua.TypeIDDateTime, "2026-01-02T03:04:05Z", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := nodeValue(c.typ, c.in)
		if err != nil || got != c.want {
			t.Errorf("nodeValue(%v, %v %T) = %v (%T), %v; want %v (%T)", c.typ, c.in, c.in, got, got, err, c.want, c.want)
		}
		if _, err := nodeVariant(c.typ, c.in); err != nil {
			t.Errorf("nodeVariant(%v, %v): %v", c.typ, c.in, err)
		}
	}
	lt, err := nodeValue(ua.TypeIDLocalizedText, "hi")
	if l, ok := lt.(*ua.LocalizedText); err != nil || !ok || l.Text != "hi" {
		t.Errorf("LocalizedText: %v, %v", lt, err)
	}
}

func TestNodeValueRejects(t *testing.T) {
	cases := []struct {
		typ ua.TypeID
		in  any
	}{
		{ua.TypeIDSByte, int64(128)},
		{ua.TypeIDByte, int64(-1)},
		{ua.TypeIDInt16, int64(40000)},
		{ua.TypeIDUint16, int64(65536)},
		{ua.TypeIDInt32, int64(math.MaxInt32) + 1},
		{ua.TypeIDUint32, int64(-1)},
		{ua.TypeIDUint64, int64(-1)},
		{ua.TypeIDInt32, 1.5},
		{ua.TypeIDFloat, 1e39},
		{ua.TypeIDBoolean, int64(2)},
		{ua.TypeIDDateTime, "yesterday"},
		{ua.TypeIDDateTime, int64(5)},
		{ua.TypeIDByteString, "raw"},
		{ua.TypeIDDouble, "x"},
	}
	for _, c := range cases {
		if got, err := nodeValue(c.typ, c.in); drivertest.ErrorCode(err) != driver.CodeTypeNotValid {
			t.Errorf("nodeValue(%v, %v %T) = %v, %v; want a 516 error", c.typ, c.in, c.in, got, err)
		}
	}
}

func TestStatusCodes(t *testing.T) {
	cases := []struct {
		s    ua.StatusCode
		code int
	}{
		{ua.StatusBadNodeIDUnknown, CodeNodeUnknown},
		{ua.StatusBadNotWritable, 515},
		{ua.StatusBadTypeMismatch, driver.CodeTypeNotValid},
		{ua.StatusBadTimeout, driver.CodeTimeout},
		{ua.StatusBadInternalError, CodeBadStatus},
	}
	for _, c := range cases {
		if got := statusCode(c.s); got != c.code {
			t.Errorf("statusCode(%v) = %d, want %d", c.s, got, c.code)
		}
		if !isBad(c.s) || isUncertain(c.s) {
			t.Errorf("%v: bad %v uncertain %v", c.s, isBad(c.s), isUncertain(c.s))
		}
	}
	if isBad(ua.StatusUncertain) || !isUncertain(ua.StatusUncertain) || isBad(ua.StatusOK) {
		t.Error("severity bits misread")
	}
}
