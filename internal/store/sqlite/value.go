package sqlite

import (
	"fmt"
	"math"
)

// Value kinds, shared by last values and history chunks.
const (
	kindNil byte = iota
	kindBool
	kindInt
	kindFloat
	kindString
)

// normalize maps a sample value onto the four stored kinds (bool, int64,
// float64, string); integer and float widths a caller may hand over are
// widened rather than rejected.
func normalize(v any) (byte, any, error) {
	switch x := v.(type) {
	case nil:
		return kindNil, nil, nil
	case bool:
		if x {
			return kindBool, int64(1), nil
		}
		return kindBool, int64(0), nil
	case int64:
		return kindInt, x, nil
	case int:
		return kindInt, int64(x), nil
	case int32:
		return kindInt, int64(x), nil
	case int16:
		return kindInt, int64(x), nil
	case int8:
		return kindInt, int64(x), nil
	case uint32:
		return kindInt, int64(x), nil
	case uint16:
		return kindInt, int64(x), nil
	case uint8:
		return kindInt, int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, nil, fmt.Errorf("value %d overflows int64", x)
		}
		return kindInt, int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, nil, fmt.Errorf("value %d overflows int64", x)
		}
		return kindInt, int64(x), nil
	case float64:
		return kindFloat, x, nil
	case float32:
		return kindFloat, float64(x), nil
	case string:
		return kindString, x, nil
	}
	return 0, nil, fmt.Errorf("value %v has unsupported type %T", v, v)
}
