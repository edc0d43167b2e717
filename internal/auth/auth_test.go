package auth

import (
	"net/http"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

func TestPasswordHashAndCheck(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPassword(h, "correct horse"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if c := codes.Of(CheckPassword(h, "wrong horse")); c != codes.AccountNotRegister {
		t.Fatalf("wrong password: code %d, want 107", c)
	}
	if c := codes.Of(func() error { _, err := HashPassword("short"); return err }()); c != codes.ArgError {
		t.Fatalf("short password: code %d, want 105", c)
	}
}

func TestTokensAreRandomAndHashed(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if string(HashToken(a)) != string(ha) || string(ha) == a {
		t.Fatal("hash does not match token")
	}
}

func TestGatewayKey(t *testing.T) {
	k, h := NewGatewayKey()
	if len(k) != 64 {
		t.Fatalf("key %q", k)
	}
	if err := CheckGatewayKey(h, k); err != nil {
		t.Fatal(err)
	}
	if codes.Of(CheckGatewayKey(h, k[:63]+"x")) != codes.AccountNotRegister {
		t.Fatal("wrong key accepted")
	}
	if codes.Of(CheckGatewayKey(nil, "")) != codes.AccountNotRegister {
		t.Fatal("empty hash accepted")
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		role         store.Role
		write, admin bool
	}{
		{store.RoleAdmin, true, true},
		{store.RoleOperator, true, false},
		{store.RoleViewer, false, false},
		{"root", false, false},
	}
	for _, c := range cases {
		if CanWrite(c.role) != c.write || CanAdmin(c.role) != c.admin {
			t.Errorf("%s: write %v admin %v", c.role, CanWrite(c.role), CanAdmin(c.role))
		}
		if (RequireWrite(store.User{Role: c.role}) == nil) != c.write {
			t.Errorf("%s: RequireWrite", c.role)
		}
	}
	if codes.Of(RequireAdmin(store.User{Role: store.RoleViewer})) != codes.ObjectNotAuth {
		t.Fatal("viewer passed RequireAdmin")
	}
}

func TestThrottleBlocksAfterFailuresUntilWindowPasses(t *testing.T) {
	now := time.Unix(1000, 0)
	th := NewThrottle(5, time.Minute, func() time.Time { return now })
	key := ThrottleKey("admin", "127.0.0.1")
	for i := 0; i < 5; i++ {
		if err := th.Allow(key); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
		th.Fail(key)
		now = now.Add(time.Second)
	}
	err := th.Allow(key)
	e := codes.From(err)
	if e == nil || e.Code != codes.AccountNotRegister || codes.StatusOf(e) != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: %v", err)
	}
	if th.Allow(ThrottleKey("admin", "127.0.0.2")) != nil {
		t.Fatal("other address throttled")
	}
	now = now.Add(time.Minute)
	if err := th.Allow(key); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	th.Fail(key)
	th.Reset(key)
	if err := th.Allow(key); err != nil {
		t.Fatal(err)
	}
}
