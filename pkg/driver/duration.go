package driver

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration in a driver's config, written as a Go
// duration string ("500ms", "1.5s") or as a number of milliseconds.
type Duration time.Duration

// UnmarshalJSON accepts "1.5s" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return fmt.Errorf("duration: want a string such as \"500ms\" or milliseconds, got %s", b)
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// Or returns d, or def when d is zero (not set).
func (d Duration) Or(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}
