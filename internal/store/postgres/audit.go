package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iotos/iotos/internal/store"
)

// AppendAudit appends one record (its ID is assigned here).
func (s *Store) AppendAudit(ctx context.Context, r store.AuditRecord) error {
	t, _ := store.Stamp(r.Time, r.Time)
	_, err := s.pool.Exec(ctx, `INSERT INTO audit (time, "user", action, object, value, code, result, latency_ms)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, t, r.User, r.Action, r.Object, r.Value, int32(r.Code), r.Result, r.LatencyMS)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", r.Action, r.Object, err)
	}
	return nil
}

// defaultAuditLimit bounds a listing that did not ask for a limit.
const defaultAuditLimit = 100

// ListAudit returns records newest first, filtered by object prefix and
// user, paging backwards from q.Before.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditRecord, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Object != "" {
		// starts_with is a literal prefix test: LIKE would treat % and _
		// in the object as wildcards.
		where = append(where, "starts_with(object, "+arg(q.Object)+")")
	}
	if q.User != "" {
		where = append(where, `"user" = `+arg(q.User))
	}
	if q.Before > 0 {
		where = append(where, "id < "+arg(q.Before))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.pool.Query(ctx, `SELECT id, time, "user", action, object, value, code, result, latency_ms FROM audit
		`+cond+` ORDER BY id DESC LIMIT `+arg(int64(limit)), args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	out := []store.AuditRecord{}
	for rows.Next() {
		var r store.AuditRecord
		var t time.Time
		var code int32
		if err := rows.Scan(&r.ID, &t, &r.User, &r.Action, &r.Object, &r.Value, &code, &r.Result, &r.LatencyMS); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		r.Time, r.Code = utc(t), int(code)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
