package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/store"
)

func testAudit(t *testing.T, s store.Store) {
	c := ctx(t)
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		user := "ada"
		if i%2 == 1 {
			user = "bob"
		}
		must(t, s.AppendAudit(c, store.AuditRecord{Time: base.Add(time.Duration(i) * time.Second), User: user,
			Action: "write", Object: fmt.Sprintf("%s.%s", gwID(i%3), devID(i)), Value: fmt.Sprint(i),
			Code: i, Result: "ok", LatencyMS: int64(i)}))
	}
	all, err := s.ListAudit(c, store.AuditQuery{Limit: 100})
	must(t, err)
	if len(all) != 10 {
		t.Fatalf("ListAudit returned %d records, want 10", len(all))
	}
	for i, r := range all {
		want := 9 - i
		if r.Value != fmt.Sprint(want) || r.Code != want || r.LatencyMS != int64(want) || !r.Time.Equal(base.Add(time.Duration(want)*time.Second)) {
			t.Fatalf("record %d = %+v, want the one written %dth (newest first)", i, r, want)
		}
		if i > 0 && r.ID >= all[i-1].ID {
			t.Fatalf("IDs not descending: %d after %d", r.ID, all[i-1].ID)
		}
	}
	bob, err := s.ListAudit(c, store.AuditQuery{User: "bob", Limit: 100})
	must(t, err)
	if len(bob) != 5 {
		t.Fatalf("bob has %d records, want 5", len(bob))
	}
	byObj, err := s.ListAudit(c, store.AuditQuery{Object: gwID(1), Limit: 100})
	must(t, err)
	if len(byObj) != 3 { // i = 1, 4, 7
		t.Fatalf("prefix %s matched %d records, want 3", gwID(1), len(byObj))
	}
	page1, err := s.ListAudit(c, store.AuditQuery{Limit: 4})
	must(t, err)
	page2, err := s.ListAudit(c, store.AuditQuery{Limit: 4, Before: page1[3].ID})
	must(t, err)
	if len(page1) != 4 || len(page2) != 4 || page2[0].ID != all[4].ID || page2[3].ID != all[7].ID {
		t.Fatalf("paging: page1 %d records, page2 %+v", len(page1), page2)
	}
	combo, err := s.ListAudit(c, store.AuditQuery{User: "ada", Object: gwID(0), Limit: 100})
	must(t, err)
	if len(combo) != 2 { // i = 0, 6
		t.Fatalf("user+object matched %d, want 2", len(combo))
	}
	must(t, s.AppendAudit(c, store.AuditRecord{User: "zoë", Action: "login", Object: "zoë", Result: "ok"}))
	uni, err := s.ListAudit(c, store.AuditQuery{Object: "zo", Limit: 100})
	must(t, err)
	if len(uni) != 1 || uni[0].User != "zoë" {
		t.Fatalf("prefix zo matched %+v, want the record of zoë", uni)
	}
	like, err := s.ListAudit(c, store.AuditQuery{Object: "%", Limit: 100})
	must(t, err)
	if len(like) != 0 {
		t.Fatalf("object prefix %% matched %d records; prefixes are literal", len(like))
	}
}
