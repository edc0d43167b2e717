// Package auth holds the platform's credentials logic: password hashing,
// session tokens, gateway keys, roles and the login throttle. It knows
// nothing of HTTP or storage; internal/app wires it to both.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
)

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

// sha256Sum hashes a high-entropy secret. Tokens and gateway keys carry 256
// random bits, so a fast hash is enough: nothing can be brute-forced.
func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
