package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// querier is what both *sql.DB and *sql.Tx offer, so lookups run inside or
// outside a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// Times are stored as Unix nanoseconds so they sort and compare as integers.
func toNanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// rawArg stores empty JSON as NULL, so "absent" survives a round trip.
func rawArg(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// rawBlob stores an imported object as a blob (NULL when absent).
func rawBlob(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// jsonArg marshals v, storing NULL for nil.
func jsonArg(v any, isNil bool) (any, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// rawOf turns a scanned nullable column back into JSON.
func rawOf(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
