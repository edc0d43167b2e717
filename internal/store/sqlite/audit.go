package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/iotos/iotos/internal/store"
)

// AppendAudit appends one record (its ID is assigned here).
func (s *Store) AppendAudit(ctx context.Context, r store.AuditRecord) error {
	t, _ := store.Stamp(r.Time, r.Time)
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit (time, user, action, object, value, code, result, latency_ms)
		VALUES (?,?,?,?,?,?,?,?)`, toNanos(t), r.User, r.Action, r.Object, r.Value, r.Code, r.Result, r.LatencyMS)
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
	where, args := []string{"1 = 1"}, []any{}
	if q.Object != "" {
		// A byte-wise prefix compare: LIKE would treat % and _ in the
		// object as wildcards, and substr on text counts characters.
		where = append(where, "substr(CAST(object AS BLOB), 1, ?) = CAST(? AS BLOB)")
		args = append(args, len(q.Object), q.Object)
	}
	if q.User != "" {
		where, args = append(where, "user = ?"), append(args, q.User)
	}
	if q.Before > 0 {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, time, user, action, object, value, code, result, latency_ms FROM audit
		WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	out := []store.AuditRecord{}
	for rows.Next() {
		var r store.AuditRecord
		var t int64
		if err := rows.Scan(&r.ID, &t, &r.User, &r.Action, &r.Object, &r.Value, &r.Code, &r.Result, &r.LatencyMS); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		r.Time = fromNanos(t)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
