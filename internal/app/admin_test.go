package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/iotos/iotos/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// lateListStore hides the users another replica created between our list
// and our create, as two platforms starting together on one database see.
type lateListStore struct{ store.Store }

func (s lateListStore) ListUsers(context.Context) ([]store.User, error) { return nil, nil }

// A replica that loses the race to create the admin starts normally.
func TestEnsureAdminLosingTheRaceIsNoError(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "iotos.db"))
	t.Cleanup(func() { st.Close() })
	first, err := New(Options{Store: st, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if created, _, err := first.EnsureAdmin(context.Background(), "first-password"); err != nil || !created {
		t.Fatalf("first replica: created=%v err=%v", created, err)
	}
	second, err := New(Options{Store: lateListStore{st}, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if created, pw, err := second.EnsureAdmin(context.Background(), ""); err != nil || created || pw != "" {
		t.Fatalf("second replica: created=%v pw=%q err=%v, want false, \"\", nil", created, pw, err)
	}
}
