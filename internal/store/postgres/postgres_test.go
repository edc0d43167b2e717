package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/internal/store/postgres"
	"github.com/iotos/iotos/internal/store/storetest"
	"github.com/iotos/iotos/pkg/driver"
)

// server is the cluster every test of the package shares.
var server *pgServer

func TestMain(m *testing.M) {
	var err error
	if server, err = startServer(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: cannot start a PostgreSQL server for the tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	server.stop()
	os.Exit(code)
}

func testCtx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// freshURL is the URL of a new, empty schema.
func freshURL(t testing.TB) string {
	t.Helper()
	url, err := server.freshSchema(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// open opens a store on url and closes it when the test ends.
func open(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(testCtx(t), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(testCtx(t), freshURL(t), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConcurrentIngestSameBatch hands every batch to two stores (two pools,
// as two replicas would have) from several goroutines at once: each batch
// is stored exactly once, including the first sight of its points.
func TestConcurrentIngestSameBatch(t *testing.T) {
	ctx := testCtx(t)
	url := freshURL(t)
	replicas := []*postgres.Store{open(t, url), open(t, url)}
	const batches, points, callers = 20, 50, 6
	for b := 1; b <= batches; b++ {
		var samples []model.Sample
		for p := 0; p < points; p++ {
			// Every batch brings new points too, so key creation races as well.
			id := fmt.Sprintf("%032x.%08x.%04x", 1, b, p)
			samples = append(samples, model.Sample{ID: id, Value: float64(b), TS: int64(b), Quality: driver.Good})
		}
		key := store.BatchKey{Gateway: fmt.Sprintf("%032x", 1), Epoch: "e", Seq: uint64(b)}
		var wg sync.WaitGroup
		var mu sync.Mutex
		stored, errs := 0, []error{}
		for c := 0; c < callers; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dup, err := replicas[c%2].Ingest(ctx, key, samples)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if !dup {
					stored++
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("batch %d: %v", b, errs)
		}
		if stored != 1 {
			t.Fatalf("batch %d stored by %d callers, want exactly 1", b, stored)
		}
		for p := 0; p < points; p += 7 {
			got, _, err := replicas[p%2].QueryHistory(ctx, store.HistoryQuery{ID: samples[p].ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Value != float64(b) {
				t.Fatalf("batch %d point %d history %+v, want one sample", b, p, got)
			}
		}
	}
	n, err := queryInt(ctx, url, `SELECT count(*) FROM history`)
	if err != nil {
		t.Fatal(err)
	}
	if n != batches*points {
		t.Fatalf("history holds %d rows, want %d", n, batches*points)
	}
	keys, err := queryInt(ctx, url, `SELECT count(*) FROM history_points`)
	if err != nil {
		t.Fatal(err)
	}
	if keys != batches*points {
		t.Fatalf("%d history keys, want %d (one per point)", keys, batches*points)
	}
}

// TestConcurrentOpensMigrateOnce starts several stores on an empty schema at
// once: all open, and each migration is applied exactly once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	ctx := testCtx(t)
	url := freshURL(t)
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(ctx, url, postgres.Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	rows, err := queryInt(ctx, url, `SELECT count(*) FROM iotos_schema_version`)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(postgres.SchemaVersion()); rows != want {
		t.Fatalf("iotos_schema_version has %d rows, want %d (one per migration)", rows, want)
	}
	// Each replica sees what another wrote.
	g := model.Gateway{ID: fmt.Sprintf("%032x", 7), Name: "shared"}
	if err := stores[0].CreateGateway(ctx, g, []byte("k")); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores {
		if got, err := s.GetGateway(ctx, g.ID); err != nil || got.Name != "shared" {
			t.Fatalf("store %d: gateway %+v, %v", i, got, err)
		}
	}
}

// TestReopenKeepsData closes and reopens a store: the schema is current, so
// nothing is migrated again and everything is still there.
func TestReopenKeepsData(t *testing.T) {
	ctx := testCtx(t)
	url := freshURL(t)
	s := open(t, url)
	g := model.Gateway{ID: fmt.Sprintf("%032x", 1), Name: "kept"}
	if err := s.CreateGateway(ctx, g, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	id := g.ID + ".00000001.0001"
	if _, err := s.Ingest(ctx, store.BatchKey{Gateway: g.ID, Epoch: "e", Seq: 1}, []model.Sample{{ID: id, Value: int64(5), TS: 10, Quality: driver.Good}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, url)
	if h, err := s.GatewayKeyHash(ctx, g.ID); err != nil || string(h) != "hash" {
		t.Fatalf("key hash after reopen %q, %v", h, err)
	}
	got, _, err := s.QueryHistory(ctx, store.HistoryQuery{ID: id, Limit: 10})
	if err != nil || len(got) != 1 || got[0].Value != int64(5) {
		t.Fatalf("history after reopen %+v, %v", got, err)
	}
	if dup, err := s.Ingest(ctx, store.BatchKey{Gateway: g.ID, Epoch: "e", Seq: 1}, nil); err != nil || !dup {
		t.Fatalf("batch key lost on reopen: dup=%v err=%v", dup, err)
	}
}

// TestOpenErrors: a bad URL, a closed port, an unknown database: each is
// a clear ArgError that never shows the password.
func TestOpenErrors(t *testing.T) {
	ctx := testCtx(t)
	closed, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, url string }{
		{"malformed", "postgres://user:secret@127.0.0.1:notaport/db"},
		{"closed port", fmt.Sprintf("postgres://user:secret@127.0.0.1:%d/db?sslmode=disable", closed)},
		{"unknown database", fmt.Sprintf("postgres://postgres:secret@127.0.0.1:%d/nosuchdb?sslmode=disable", server.port)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(ctx, tc.url, postgres.Options{ConnectTimeout: 5 * time.Second})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if codes.Of(err) != codes.ArgError {
				t.Fatalf("error %v has code %d, want %d", err, codes.Of(err), codes.ArgError)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error shows the password: %v", err)
			}
		})
	}
}

// TestLastValuesConcurrentUpserts saves overlapping sets in opposite orders
// from many goroutines: no deadlock, and the newest sample of each point wins.
func TestLastValuesConcurrentUpserts(t *testing.T) {
	ctx := testCtx(t)
	url := freshURL(t)
	replicas := []*postgres.Store{open(t, url), open(t, url)}
	const points, rounds = 200, 20
	ids := make([]string, points)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x.%08x.%04x", 1, 1, i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				batch := make([]model.Sample, points)
				for i := range batch {
					k := i
					if g%2 == 1 {
						k = points - 1 - i // the other half goes backwards
					}
					ts := int64(r*8 + g)
					batch[i] = model.Sample{ID: ids[k], Value: ts, TS: ts, Quality: driver.Good}
				}
				if err := replicas[g%2].SaveLastValues(ctx, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	vals, err := replicas[0].LastValues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newest := int64((rounds-1)*8 + 7)
	if len(vals) != points {
		t.Fatalf("%d last values, want %d", len(vals), points)
	}
	for _, v := range vals {
		if v.TS != newest || v.Value != newest {
			t.Fatalf("last value %+v, want ts and value %d", v, newest)
		}
	}
}
