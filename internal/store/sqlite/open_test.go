package sqlite

import (
	"database/sql"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/pkg/driver"
)

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(testCtx(t), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestPragmas(t *testing.T) {
	for _, tc := range []struct{ opt, want string }{{"", "2"}, {"normal", "1"}, {"OFF", "0"}} {
		s, _ := openTemp(t, Options{Synchronous: tc.opt})
		for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
			if v := pragma(t, db, "journal_mode"); v != "wal" {
				t.Errorf("%s journal_mode = %s, want wal", name, v)
			}
			if v := pragma(t, db, "synchronous"); v != tc.want {
				t.Errorf("%s synchronous with option %q = %s, want %s", name, tc.opt, v, tc.want)
			}
			if v := pragma(t, db, "foreign_keys"); v != "1" {
				t.Errorf("%s foreign_keys = %s, want 1", name, v)
			}
			if v := pragma(t, db, "busy_timeout"); v != "10000" {
				t.Errorf("%s busy_timeout = %s, want 10000", name, v)
			}
		}
		if v := pragma(t, s.r, "query_only"); v != "1" {
			t.Errorf("reader query_only = %s, want 1", v)
		}
		if s.w.Stats().MaxOpenConnections != 1 {
			t.Errorf("writer pool allows %d connections, want 1", s.w.Stats().MaxOpenConnections)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(testCtx(t), t.TempDir()+"/x.db", Options{Synchronous: "sometimes"}); err == nil {
		t.Fatal("Open accepted synchronous \"sometimes\"")
	}
}

// TestReopenKeepsEverything closes a store with staged and compacted history
// and checks that a reopened one serves the same data and migrates nothing.
func TestReopenKeepsEverything(t *testing.T) {
	c := testCtx(t)
	s, path := openTemp(t, Options{})
	gw, dev := model.Gateway{ID: "0123456789abcdef0123456789abcdef", Name: "site"}, "0000beef"
	id := gw.ID + "." + dev + ".0001"
	must(t, s.CreateGateway(c, gw, []byte("key")))
	must(t, s.CreateDevice(c, model.Device{ID: dev, Gateway: gw.ID, Name: "d", Driver: "simulator"}))
	must(t, s.CreatePoint(c, model.Point{ID: "0001", Gateway: gw.ID, Device: dev, Name: "p", Type: driver.Int, Access: driver.Read}))
	uid, err := s.CreateUser(c, store.User{Name: "ada", Role: store.RoleAdmin, PasswordHash: []byte("h")})
	must(t, err)
	must(t, s.CreateToken(c, []byte("tok"), uid, time.Now().Add(time.Hour)))
	must(t, s.SaveLastValues(c, []model.Sample{{ID: id, Value: int64(5), TS: 5, Quality: driver.Good}}))
	must(t, s.AppendAudit(c, store.AuditRecord{User: "ada", Action: "create", Object: gw.ID, Result: "ok"}))
	for i := range 5 {
		_, err := s.Ingest(c, store.BatchKey{Gateway: gw.ID, Epoch: "e", Seq: uint64(i)},
			[]model.Sample{{ID: id, Value: int64(i), TS: int64(i), Quality: driver.Good}})
		must(t, err)
		if i == 2 {
			must(t, s.compactAll(c)) // batches 0-2 compacted, 3-4 staged
		}
	}
	before, _, err := s.QueryHistory(c, store.HistoryQuery{ID: id, Limit: 100})
	must(t, err)
	must(t, s.Close())

	s, err = Open(c, path, Options{})
	must(t, err)
	defer s.Close()
	var versions int
	must(t, s.r.QueryRowContext(c, `SELECT COUNT(*) FROM schema_version`).Scan(&versions))
	if steps, _ := store.LoadMigrations(migrations, "migrations"); versions != len(steps) {
		t.Fatalf("schema_version has %d rows after reopen, want %d", versions, len(steps))
	}
	tbl, err := s.GetTable(c, gw.ID)
	must(t, err)
	if len(tbl.Devices) != 1 || len(tbl.Devices[0].Points) != 1 {
		t.Fatalf("table after reopen: %+v", tbl)
	}
	if h, _ := s.GatewayKeyHash(c, gw.ID); string(h) != "key" {
		t.Fatalf("key hash after reopen %q", h)
	}
	if u, err := s.LookupToken(c, []byte("tok"), time.Now()); err != nil || u.ID != uid {
		t.Fatalf("token after reopen: %+v %v", u, err)
	}
	if lv, _ := s.LastValues(c); len(lv) != 1 || lv[0].Value != int64(5) {
		t.Fatalf("last values after reopen: %+v", lv)
	}
	if a, _ := s.ListAudit(c, store.AuditQuery{}); len(a) != 1 {
		t.Fatalf("audit after reopen: %+v", a)
	}
	after, _, err := s.QueryHistory(c, store.HistoryQuery{ID: id, Limit: 100})
	must(t, err)
	sameHistory(t, after, before)
	if dup, err := s.Ingest(c, store.BatchKey{Gateway: gw.ID, Epoch: "e", Seq: 4}, nil); err != nil || !dup {
		t.Fatalf("batch key forgotten after reopen: dup=%v err=%v", dup, err)
	}
	must(t, s.compactAll(c)) // the staged rows left by the first store compact after reopen
	after, _, err = s.QueryHistory(c, store.HistoryQuery{ID: id, Limit: 100})
	must(t, err)
	sameHistory(t, after, before)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sameHistory compares samples including Seq.
func sameHistory(t *testing.T, got, want []model.Sample) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
