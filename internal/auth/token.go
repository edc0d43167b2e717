package auth

import (
	"encoding/base64"
	"time"
)

// DefaultTokenTTL is how long a session token stays valid.
const DefaultTokenTTL = 24 * time.Hour

// NewToken returns a session token (32 random bytes, base64url) and the hash
// to store: a leaked database does not leak live sessions.
func NewToken() (token string, hash []byte) {
	token = encodeToken(randomBytes(32))
	return token, HashToken(token)
}

// HashToken is the stored form of a session token.
func HashToken(token string) []byte { return sha256Sum(token) }

func encodeToken(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
