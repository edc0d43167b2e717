package auth

import (
	"errors"

	"golang.org/x/crypto/bcrypt"

	"github.com/iotos/iotos/internal/codes"
)

// MinPasswordLen is the shortest password accepted for a user.
const MinPasswordLen = 8

// maxPasswordLen is bcrypt's input limit; longer passwords would be
// silently truncated, so they are refused instead.
const maxPasswordLen = 72

// HashPassword returns the bcrypt hash of a password at the default cost
// (105 when it is too short or too long).
func HashPassword(password string) ([]byte, error) {
	return HashPasswordCost(password, bcrypt.DefaultCost)
}

// HashPasswordCost is HashPassword with an explicit bcrypt cost; tests use
// bcrypt.MinCost so that race-detector runs stay fast.
func HashPasswordCost(password string, cost int) ([]byte, error) {
	if len(password) < MinPasswordLen {
		return nil, codes.New(codes.ArgError, "password must have at least %d characters", MinPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return nil, codes.New(codes.ArgError, "password must have at most %d bytes", maxPasswordLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// CheckPassword compares a password with its stored hash: 107 on mismatch.
func CheckPassword(hash []byte, password string) error {
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err == nil {
		return nil
	}
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return codes.New(codes.AccountNotRegister, "wrong user name or password")
	}
	return err
}

// RandomPassword returns a random password for a first-start admin, printed
// once to whoever starts the platform.
func RandomPassword() string {
	return encodeToken(randomBytes(18))
}
