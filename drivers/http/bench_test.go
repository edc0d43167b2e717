package http

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

// benchPoints is the size of the benchmarked poll group.
const benchPoints = 20

// BenchmarkRead polls 20 points from a loopback server: batched (all on
// one URL, one request) against the baseline of one URL per point, which
// is what a driver without batching sends.
func BenchmarkRead(b *testing.B) {
	srv := newBenchServer(b)
	for _, shared := range []bool{true, false} {
		name := "batched"
		if !shared {
			name = "url_per_point"
		}
		b.Run(name, func(b *testing.B) {
			var points []driver.Point
			for i := range benchPoints {
				cfg := fmt.Sprintf(`{"path": "$.values[%d]"}`, i)
				if !shared {
					cfg = fmt.Sprintf(`{"path": "$.values[%d]", "url": "p%d"}`, i, i)
				}
				points = append(points, pt(fmt.Sprintf("%04x", i+1), driver.Float, driver.Read, cfg))
			}
			dev := device(`{"url": "`+srv+`/"}`, points...)
			d := New()
			if err := d.Init(drivertest.NewHost(b), dev); err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				samples, err := d.Read(ctx, points)
				if err != nil || samples[benchPoints-1].Quality != driver.Good {
					b.Fatalf("read: %v %+v", err, samples)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/benchPoints, "µs/point")
		})
	}
}

func newBenchServer(b *testing.B) string {
	body := `{"values": [`
	for i := range benchPoints {
		if i > 0 {
			body += ","
		}
		body += fmt.Sprintf("%d.5", i)
	}
	body += `]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
	b.Cleanup(srv.Close)
	return srv.URL
}
