// Package storetest is the conformance suite every store.Store passes: the
// SQLite store runs it on real files, a PostgreSQL store on a real server.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

// Run runs every conformance test. open must return a new, empty store; Run
// closes it when each subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"GatewayCRUD", testGatewayCRUD},
		{"GatewayKey", testGatewayKey},
		{"DeviceCRUD", testDeviceCRUD},
		{"PointCRUD", testPointCRUD},
		{"PointFields", testPointFields},
		{"Cascade", testCascade},
		{"TableOrder", testTableOrder},
		{"ReplaceTable", testReplaceTable},
		{"ReplaceTableAtomic", testReplaceTableAtomic},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"LastValuesNewerWins", testLastValuesNewerWins},
		{"LastValueKinds", testLastValueKinds},
		{"IngestDedup", testIngestDedup},
		{"IngestRejectsBadID", testIngestRejectsBadID},
		{"HistoryEqualTimestamps", testHistoryEqualTimestamps},
		{"HistoryRangeLimit", testHistoryRangeLimit},
		{"HistoryValues", testHistoryValues},
		{"HistoryPagingMatchesReference", testHistoryPaging},
		{"Retention", testRetention},
		{"Audit", testAudit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// IDs built from small numbers, valid by the model's rules.
func gwID(n int) string  { return fmt.Sprintf("%032x", n) }
func devID(n int) string { return fmt.Sprintf("%08x", n) }
func ptID(n int) string  { return fmt.Sprintf("%04x", n) }

func fullID(gw, dev, pt int) string { return gwID(gw) + "." + devID(dev) + "." + ptID(pt) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries code c (and, for a conflict, HTTP 409).
func wantCode(t *testing.T, err error, c codes.Code, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got nil error, want code %d", what, c)
	}
	var ce *codes.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: got %v (%T), want a *codes.Error with code %d", what, err, err, c)
	}
	if ce.Code != c {
		t.Fatalf("%s: got code %d (%v), want %d", what, ce.Code, err, c)
	}
}

func wantConflict(t *testing.T, err error, what string) {
	t.Helper()
	wantCode(t, err, codes.ArgError, what)
	if st := codes.StatusOf(codes.From(err)); st != http.StatusConflict {
		t.Fatalf("%s: HTTP status %d, want 409", what, st)
	}
}

func newGateway(n int) model.Gateway {
	return model.Gateway{ID: gwID(n), Name: fmt.Sprintf("site-%d", n), Description: "plant", Location: "52.1,4.3"}
}

func newDevice(gw, n int) model.Device {
	return model.Device{ID: devID(n), Gateway: gwID(gw), Name: fmt.Sprintf("dev-%d", n), Driver: "simulator",
		Config: []byte(`{"seed":1}`), Enabled: true}
}

func newPoint(gw, dev, n int) model.Point {
	return model.Point{ID: ptID(n), Gateway: gwID(gw), Device: devID(dev), Name: fmt.Sprintf("pt-%d", n),
		Type: driver.Float, Access: driver.Read, IntervalMS: 1000}
}

// seed creates gateway gw with devices × points, named and numbered from 1.
func seed(t *testing.T, s store.Store, gw, devices, points int) {
	t.Helper()
	c := ctx(t)
	must(t, s.CreateGateway(c, newGateway(gw), []byte("hash")))
	for d := 1; d <= devices; d++ {
		must(t, s.CreateDevice(c, newDevice(gw, d)))
		for p := 1; p <= points; p++ {
			must(t, s.CreatePoint(c, newPoint(gw, d, p)))
		}
	}
}
