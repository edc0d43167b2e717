package model

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/iotos/iotos/internal/codes"
)

// ID lengths in hex digits.
const (
	GatewayIDLen = 32
	DeviceIDLen  = 8
	PointIDLen   = 4
)

// NewGatewayID returns a random 32-hex gateway ID.
func NewGatewayID() string { return randHex(GatewayIDLen / 2) }

// NewDeviceID returns a random 8-hex device ID; callers retry on collision.
func NewDeviceID() string { return randHex(DeviceIDLen / 2) }

// NewPointID returns a random 4-hex point ID; callers retry on collision
// (NextPointID picks a free one deterministically).
func NewPointID() string { return randHex(PointIDLen / 2) }

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// IsHexID reports whether s is exactly n lowercase hex digits.
func IsHexID(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// FullID is a parsed "gw.dev.pt".
type FullID struct{ Gateway, Device, Point string }

func (f FullID) String() string { return f.Gateway + "." + f.Device + "." + f.Point }

// ParseFullID parses "gw.dev.pt" with IDs of the right length and alphabet;
// anything else is code 111 (PointNotExist).
func ParseFullID(s string) (FullID, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || !IsHexID(parts[0], GatewayIDLen) || !IsHexID(parts[1], DeviceIDLen) || !IsHexID(parts[2], PointIDLen) {
		return FullID{}, codes.New(codes.PointNotExist, "%q is not a point ID (gateway.device.point, 32.8.4 hex)", s)
	}
	return FullID{parts[0], parts[1], parts[2]}, nil
}
