package auth

import (
	"crypto/subtle"
	"encoding/hex"

	"github.com/iotos/iotos/internal/codes"
)

// NewGatewayKey returns a gateway key (32 random bytes, hex) and the hash to
// store. The key is shown once, at creation or rotation.
func NewGatewayKey() (key string, hash []byte) {
	key = hex.EncodeToString(randomBytes(32))
	return key, HashGatewayKey(key)
}

// HashGatewayKey is the stored form of a gateway key.
func HashGatewayKey(key string) []byte { return sha256Sum(key) }

// CheckGatewayKey compares a presented key with the stored hash in constant
// time: 107 on mismatch.
func CheckGatewayKey(hash []byte, key string) error {
	if len(hash) == 0 || subtle.ConstantTimeCompare(hash, HashGatewayKey(key)) != 1 {
		return codes.New(codes.AccountNotRegister, "gateway key rejected")
	}
	return nil
}
