package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseRetention accepts Go durations ("720h") and days ("30d").
func parseRetention(s string) (time.Duration, error) {
	if s == "" || s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--retention %q: want e.g. 30d or 720h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	r, err := time.ParseDuration(s)
	if err != nil || r <= 0 {
		return 0, fmt.Errorf("--retention %q: want e.g. 30d or 720h", s)
	}
	return r, nil
}
