package sqlite

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// scaleTable is a gateway of devices × points simulator points, the shape
// the scale bench imports.
func scaleTable(gw string, devices, points int) model.Table {
	t := model.Table{Gateway: model.Gateway{ID: gw, Name: "scale"}}
	for d := 0; d < devices; d++ {
		dt := model.DeviceTable{Device: model.Device{Gateway: gw, ID: fmt.Sprintf("%08x", d+1), Name: fmt.Sprintf("dev%d", d),
			Driver: "simulator", Config: json.RawMessage(`{"param":{}}`), Enabled: true}}
		for p := 0; p < points; p++ {
			dt.Points = append(dt.Points, model.Point{Gateway: gw, Device: dt.Device.ID, ID: fmt.Sprintf("%04x", p+1),
				Name: fmt.Sprintf("p%d", p), Type: driver.Float, Access: driver.Access("r"), IntervalMS: 10000,
				Config: json.RawMessage(`{"param":{"change":"random"}}`), Raw: json.RawMessage(`{"name":"p","valuetype":"FLOAT"}`)})
		}
		t.Devices = append(t.Devices, dt)
	}
	return t
}

func BenchmarkTableScale(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "t.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	gw := fmt.Sprintf("%032x", 7)
	if err := s.CreateGateway(b.Context(), model.Gateway{ID: gw, Name: "scale"}, []byte("h")); err != nil {
		b.Fatal(err)
	}
	t := scaleTable(gw, 100, 1000)
	for b.Loop() {
		start := time.Now()
		if err := s.ReplaceTable(b.Context(), t); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "replace-s")
		start = time.Now()
		got, err := s.GetTable(b.Context(), gw)
		if err != nil || len(got.Devices) != 100 {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "get-s")
		start = time.Now()
		if _, err := s.ListPoints(b.Context(), gw, "00000032"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "list-s")
	}
}

// TestIngestManyNewPoints ingests batches whose new points exceed one key
// statement, mixed with known ones: every point gets its own key and its
// own samples back.
func TestIngestManyNewPoints(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "k.db"), Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := func(i int) string { return fmt.Sprintf("%032x.%08x.%04x", 9, i/1000+1, i%1000+1) }
	batch := func(from, to int, ts int64) []model.Sample {
		var out []model.Sample
		for i := from; i < to; i++ {
			out = append(out, model.Sample{ID: id(i), Value: int64(i), TS: ts, Quality: driver.Good})
		}
		return out
	}
	n := 2*keysPerStatement + 300
	if _, err := s.Ingest(t.Context(), store.BatchKey{Gateway: "g", Epoch: "e", Seq: 1}, batch(0, n, 1000)); err != nil {
		t.Fatal(err)
	}
	// Half known, half new, then a restart forgets the key cache.
	if _, err := s.Ingest(t.Context(), store.BatchKey{Gateway: "g", Epoch: "e", Seq: 2}, batch(n/2, n+n/2, 2000)); err != nil {
		t.Fatal(err)
	}
	s.keys = pointKeys{m: map[string]int64{}}
	if _, err := s.Ingest(t.Context(), store.BatchKey{Gateway: "g", Epoch: "e", Seq: 3}, batch(0, 10, 3000)); err != nil {
		t.Fatal(err)
	}
	var points int
	if err := s.r.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM history_points`).Scan(&points); err != nil {
		t.Fatal(err)
	}
	if points != n+n/2 {
		t.Fatalf("%d history keys, want %d", points, n+n/2)
	}
	for _, i := range []int{0, 5, keysPerStatement, n/2 - 1, n / 2, n - 1, n, n + n/2 - 1} {
		got, _, err := s.QueryHistory(t.Context(), store.HistoryQuery{ID: id(i), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, in := range [][2]int{{0, n}, {n / 2, n + n/2}, {0, 10}} {
			if i >= in[0] && i < in[1] {
				want++
			}
		}
		if len(got) != want {
			t.Fatalf("point %d: %d samples, want %d: %+v", i, len(got), want, got)
		}
		for _, smp := range got {
			if smp.ID != id(i) || smp.Value != int64(i) {
				t.Fatalf("point %d: got %+v", i, smp)
			}
		}
	}
}

// TestReplaceTableKeepsLastValuesOfKeptPoints replaces a gateway's table of
// 10,000 points that all have last values with a table that drops one
// device: the dropped device's values go, the others stay.
func TestReplaceTableKeepsLastValuesOfKeptPoints(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "lv.db"), Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gw := fmt.Sprintf("%032x", 8)
	if err := s.CreateGateway(t.Context(), model.Gateway{ID: gw, Name: "scale"}, []byte("h")); err != nil {
		t.Fatal(err)
	}
	tb := scaleTable(gw, 10, 1000)
	if err := s.ReplaceTable(t.Context(), tb); err != nil {
		t.Fatal(err)
	}
	var values []model.Sample
	for _, dt := range tb.Devices {
		for _, p := range dt.Points {
			values = append(values, model.Sample{ID: p.FullID(), Value: 1.5, TS: 1000, Quality: driver.Good})
		}
	}
	if err := s.SaveLastValues(t.Context(), values); err != nil {
		t.Fatal(err)
	}
	tb.Devices = tb.Devices[1:]
	start := time.Now()
	if err := s.ReplaceTable(t.Context(), tb); err != nil {
		t.Fatal(err)
	}
	t.Logf("replace with 10,000 last values: %v", time.Since(start))
	got, err := s.LastValues(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 9000 {
		t.Fatalf("%d last values after dropping one device of ten, want 9000", len(got))
	}
	for _, v := range got {
		if strings.HasPrefix(v.ID, gw+".00000001.") {
			t.Fatalf("the dropped device's value %s stayed", v.ID)
		}
	}
}
