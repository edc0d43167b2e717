package drivertest

import (
	"context"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// checkRead: one sample per point asked for, with that point's ID, a valid
// quality and, when good, a value of the point's type and a timestamp.
func checkRead(t *testing.T, ctx context.Context, d driver.Driver, points []driver.Point) {
	t.Helper()
	if len(points) == 0 {
		t.Fatal("the device under test has no readable points")
	}
	samples, err := d.Read(ctx, points)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(samples) != len(points) {
		t.Fatalf("Read returned %d samples for %d points", len(samples), len(points))
	}
	byID := map[string]driver.Point{}
	for _, p := range points {
		byID[p.ID] = p
	}
	seen := map[string]bool{}
	for _, s := range samples {
		p, ok := byID[s.Point]
		if !ok || seen[s.Point] {
			t.Fatalf("Read returned a sample for %q, which was not asked for or came twice", s.Point)
		}
		seen[s.Point] = true
		checkSample(t, p, s)
	}
}

func checkSample(t *testing.T, p driver.Point, s driver.Sample) {
	t.Helper()
	switch s.Quality {
	case driver.Good, driver.Uncertain:
		if s.TS.IsZero() {
			t.Errorf("point %s: sample without timestamp", p.ID)
		}
		if !hasGoType(p.Type, s.Value) {
			t.Errorf("point %s (%s): value %v has Go type %T", p.ID, p.Type, s.Value, s.Value)
		}
	case driver.Bad:
		if s.Code == 0 {
			t.Errorf("point %s: bad sample without an error code", p.ID)
		}
	default:
		t.Errorf("point %s: quality %q is not good, bad or uncertain", p.ID, s.Quality)
	}
}

// hasGoType reports whether v is carried as the SDK says values of t are.
func hasGoType(t driver.Type, v any) bool {
	switch v.(type) {
	case bool:
		return t == driver.Bool
	case int64:
		return t == driver.Int
	case float64:
		return t == driver.Float
	case string:
		return t == driver.String
	}
	return false
}

// checkCancelledRead: a read whose context is already done fails instead of
// touching the device.
func checkCancelledRead(t *testing.T, d driver.Driver, points []driver.Point) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Read(ctx, points); err == nil {
		t.Fatal("Read with a cancelled context succeeded")
	}
}

// checkWrite writes the first writable and readable point and reads the
// value back.
func checkWrite(t *testing.T, ctx context.Context, d driver.Driver, w driver.Writer, points []driver.Point) {
	t.Helper()
	for _, p := range points {
		if !p.Access.CanWrite() || !p.Access.CanRead() || p.Proxy != nil {
			continue
		}
		v := writeValue(p)
		res, err := w.Write(ctx, p, v)
		if err != nil {
			t.Fatalf("Write %s = %v: %v", p.ID, v, err)
		}
		if res.Code != 0 {
			t.Fatalf("Write %s = %v: result code %d (%s)", p.ID, v, res.Code, res.Msg)
		}
		samples, err := d.Read(ctx, []driver.Point{p})
		if err != nil || len(samples) != 1 {
			t.Fatalf("read back %s: %v (%d samples)", p.ID, err, len(samples))
		}
		if samples[0].Value != v {
			t.Fatalf("read back %s: %v (%T), wrote %v (%T)", p.ID, samples[0].Value, samples[0].Value, v, v)
		}
		return
	}
}

// writeValue is a value of the point's type inside its range.
func writeValue(p driver.Point) any {
	switch p.Type {
	case driver.Bool:
		return true
	case driver.String:
		return "conformance"
	}
	f := 7.0
	if p.Min != nil && f < *p.Min {
		f = *p.Min
	}
	if p.Max != nil && f > *p.Max {
		f = *p.Max
	}
	if p.Type == driver.Int {
		return int64(f)
	}
	return f
}
