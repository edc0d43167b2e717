package auth

import (
	"net/http"
	"sync"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

// Throttle limits failed logins per key (user name + client address): after
// Max failures within Window, further attempts are refused until the window
// of the oldest counted failure has passed. It slows password guessing
// without locking the real user out for long.
type Throttle struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewThrottle returns a throttle; now may be nil for time.Now.
func NewThrottle(max int, window time.Duration, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{Max: max, Window: window, now: now, failures: map[string][]time.Time{}}
}

// ThrottleKey combines a user name and a client address.
func ThrottleKey(user, remote string) string { return user + "\x00" + remote }

// Allow returns 107 (HTTP 429) while key has used up its failures.
func (t *Throttle) Allow(key string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.recent(key)) >= t.Max {
		return &codes.Error{Code: codes.AccountNotRegister, Msg: "too many failed logins; try again later", Status: http.StatusTooManyRequests}
	}
	return nil
}

// Fail records a failed attempt.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.recent(key), t.now())
	t.prune()
}

// Reset forgets the failures of key after a successful login.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

// recent drops expired failures of key and returns the rest. Caller holds mu.
func (t *Throttle) recent(key string) []time.Time {
	cutoff := t.now().Add(-t.Window)
	fs := t.failures[key]
	i := 0
	for i < len(fs) && !fs[i].After(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = fs
	return fs
}

// maxKeys bounds the memory an attacker cycling addresses can make us hold.
const maxKeys = 10000

// prune drops expired keys once the map grows large. Caller holds mu.
func (t *Throttle) prune() {
	if len(t.failures) <= maxKeys {
		return
	}
	for k := range t.failures {
		t.recent(k)
	}
}
