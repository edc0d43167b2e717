package driver

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationForms(t *testing.T) {
	for in, want := range map[string]time.Duration{
		`"500ms"`: 500 * time.Millisecond, `"1.5s"`: 1500 * time.Millisecond, `250`: 250 * time.Millisecond,
		`0.5`: 500 * time.Microsecond, `"0s"`: 0,
	} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || time.Duration(d) != want {
			t.Errorf("%s = %v, %v; want %v", in, time.Duration(d), err, want)
		}
	}
	for _, in := range []string{`"fast"`, `true`, `{}`, `"5"`} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("%s accepted as %v", in, time.Duration(d))
		}
	}
	if got := Duration(0).Or(time.Second); got != time.Second {
		t.Errorf("zero Or(1s) = %v", got)
	}
	if got := Duration(time.Minute).Or(time.Second); got != time.Minute {
		t.Errorf("1m Or(1s) = %v", got)
	}
}
