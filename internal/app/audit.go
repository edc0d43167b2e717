package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// audit records a state change; the record reaches the store right after the
// reply (auditLog). A failure to record is logged, not returned: the change
// itself has already happened.
func (a *App) audit(ctx context.Context, user store.User, action, object string, value any, err error, started time.Time) {
	rec := store.AuditRecord{
		Time:      a.now().UTC(),
		User:      user.Name,
		Action:    action,
		Object:    object,
		Value:     auditValue(value),
		Code:      int(codes.Of(err)),
		Result:    "ok",
		LatencyMS: a.now().Sub(started).Milliseconds(),
	}
	if err != nil {
		rec.Result = codes.From(err).Msg
	}
	a.audits.append(rec)
}

func auditValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.RawMessage:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Audit lists audit records, newest first (admins and operators; viewers
// see only their own).
func (a *App) Audit(ctx context.Context, user store.User, q store.AuditQuery) ([]store.AuditRecord, error) {
	if !auth.CanWrite(user.Role) {
		q.User = user.Name
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	if err := a.audits.sync(ctx); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	recs, err := a.store.ListAudit(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if recs == nil {
		recs = []store.AuditRecord{}
	}
	return recs, nil
}
