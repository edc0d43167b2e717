package postgres

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/iotos/iotos/internal/codes"
)

// textArg stores empty JSON as NULL, so "absent" survives a round trip.
func textArg(b json.RawMessage) *string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	return &s
}

// blobArg stores an imported object as bytea (NULL when absent).
func blobArg(b json.RawMessage) []byte {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// jsonArg marshals v, storing NULL for nil.
func jsonArg(v any, isNil bool) (*string, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// rawOf turns a scanned nullable column back into JSON.
func rawOf(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

func rawOfText(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// utc normalises a scanned timestamptz (pgx returns local time).
func utc(t time.Time) time.Time { return t.UTC() }

func gatewayNotFound(id string) error {
	return codes.New(codes.IONodeNotExist, "gateway %s does not exist", id)
}

func deviceNotFound(gw, id string) error {
	return codes.New(codes.DeviceNotExist, "device %s does not exist in gateway %s", id, gw)
}

func pointNotFound(gw, dev, id string) error {
	return codes.New(codes.DataNotExist, "point %s does not exist in device %s.%s", id, gw, dev)
}

func userNotFound(id int64) error {
	return codes.New(codes.AccountNotRegister, "user %d does not exist", id)
}

// pointKeys caches history_points (full ID → key). Keys are created in their
// own committed statement and never deleted while the store runs, so a
// cached key always exists; a cached ID is also known to be valid.
type pointKeys struct {
	mu sync.RWMutex
	m  map[string]int32
}

func (k *pointKeys) get(id string) (int32, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	v, ok := k.m[id]
	return v, ok
}

func (k *pointKeys) add(id string, key int32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[id] = key
}
