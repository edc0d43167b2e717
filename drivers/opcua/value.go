package opcua

import (
	"math"
	"strconv"
	"time"

	"github.com/gopcua/opcua/ua"

	"github.com/iotos/iotos/pkg/driver"
)

// pointValue converts a value decoded from the server into the Go
// representation of the point's type (bool, int64, float64, string).
func pointValue(t driver.Type, v any) (any, error) {
	n, err := normalize(v)
	if err != nil {
		return nil, err
	}
	return driver.Convert(t, n)
}

// normalize maps the library's Go types onto the four the SDK converts
// from. float32 goes through its shortest decimal form, so 0.1f reads as 0.1
// rather than 0.10000000149011612.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case bool, int64, float64, string:
		return x, nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, driver.Errorf(driver.CodeTypeNotValid, "UInt64 %d does not fit an INT", x)
		}
		return int64(x), nil
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f, nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	case *ua.LocalizedText:
		if x != nil {
			return x.Text, nil
		}
	case *ua.NodeID:
		if x != nil {
			return x.String(), nil
		}
	case ua.StatusCode:
		return int64(x), nil
	}
	return nil, driver.Errorf(driver.CodeTypeNotValid, "OPC UA value %v (%T) has no IOTOS type", v, v)
}

// nodeVariant converts a point value into a variant of the node's built-in
// data type, so a Double point can write an Int16 node. It fails with 516
// when the value does not fit the node's type.
func nodeVariant(typ ua.TypeID, v any) (*ua.Variant, error) {
	x, err := nodeValue(typ, v)
	if err != nil {
		return nil, err
	}
	return ua.NewVariant(x)
}

func nodeValue(typ ua.TypeID, v any) (any, error) {
	switch typ {
	case ua.TypeIDBoolean:
		return convertAs[bool](driver.Bool, v)
	case ua.TypeIDString:
		return convertAs[string](driver.String, v)
	case ua.TypeIDLocalizedText:
		s, err := convertAs[string](driver.String, v)
		return &ua.LocalizedText{EncodingMask: ua.LocalizedTextText, Text: s}, err
	case ua.TypeIDDouble:
		return convertAs[float64](driver.Float, v)
	case ua.TypeIDFloat:
		return toFloat32(v)
	case ua.TypeIDDateTime:
		return toTime(v)
	}
	if r, ok := intRanges[typ]; ok {
		return toIntType(typ, r, v)
	}
	return nil, driver.Errorf(driver.CodeTypeNotValid, "writing nodes of type %v is not supported", typ)
}

// convertAs converts v with the SDK's rules and asserts the result.
func convertAs[T any](t driver.Type, v any) (T, error) {
	var zero T
	c, err := driver.Convert(t, v)
	if err != nil {
		return zero, err
	}
	return c.(T), nil
}

func toFloat32(v any) (any, error) {
	f, err := convertAs[float64](driver.Float, v)
	if err != nil {
		return nil, err
	}
	if math.Abs(f) > math.MaxFloat32 {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "%v does not fit a Float", f)
	}
	return float32(f), nil
}

func toTime(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "a DateTime is written as an RFC 3339 string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "DateTime %q: %v", s, err)
	}
	return t, nil
}

// intRange is the range of an integer node type.
type intRange struct{ min, max int64 }

var intRanges = map[ua.TypeID]intRange{
	ua.TypeIDSByte:  {math.MinInt8, math.MaxInt8},
	ua.TypeIDByte:   {0, math.MaxUint8},
	ua.TypeIDInt16:  {math.MinInt16, math.MaxInt16},
	ua.TypeIDUint16: {0, math.MaxUint16},
	ua.TypeIDInt32:  {math.MinInt32, math.MaxInt32},
	ua.TypeIDUint32: {0, math.MaxUint32},
	ua.TypeIDInt64:  {math.MinInt64, math.MaxInt64},
	ua.TypeIDUint64: {0, math.MaxInt64},
}

// toIntType converts v to the integer node type typ, failing when it is out
// of range rather than wrapping around.
func toIntType(typ ua.TypeID, r intRange, v any) (any, error) {
	n, err := convertAs[int64](driver.Int, v)
	if err != nil {
		return nil, err
	}
	if n < r.min || n > r.max {
		return nil, driver.Errorf(driver.CodeTypeNotValid, "%d is out of range for %v [%d, %d]", n, typ, r.min, r.max)
	}
	switch typ {
	case ua.TypeIDSByte:
		return int8(n), nil
	case ua.TypeIDByte:
		return uint8(n), nil
	case ua.TypeIDInt16:
		return int16(n), nil
	case ua.TypeIDUint16:
		return uint16(n), nil
	case ua.TypeIDInt32:
		return int32(n), nil
	case ua.TypeIDUint32:
		return uint32(n), nil
	case ua.TypeIDUint64:
		return uint64(n), nil
	}
	return n, nil
}
