package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
)

const gatewayColumns = `id, name, description, location, raw, created_at, updated_at`

// CreateGateway stores a new gateway with the hash of its key. Gateway names
// are unique across the platform.
func (s *Store) CreateGateway(ctx context.Context, g model.Gateway, keyHash []byte) error {
	created, updated := store.Stamp(g.CreatedAt, g.UpdatedAt)
	_, err := s.w.ExecContext(ctx, `INSERT INTO gateways (`+gatewayColumns+`, key_hash) VALUES (?,?,?,?,?,?,?,?)`,
		g.ID, g.Name, g.Description, g.Location, rawBlob(g.Raw), toNanos(created), toNanos(updated), keyHash)
	if isUnique(err) {
		return codes.Conflict("gateway %s or name %q already exists", g.ID, g.Name)
	}
	if err != nil {
		return fmt.Errorf("create gateway %s: %w", g.ID, err)
	}
	return nil
}

// GetGateway returns one gateway (108 if missing).
func (s *Store) GetGateway(ctx context.Context, id string) (model.Gateway, error) {
	return getGateway(ctx, s.r, id)
}

func getGateway(ctx context.Context, q querier, id string) (model.Gateway, error) {
	g, err := scanGateway(q.QueryRowContext(ctx, `SELECT `+gatewayColumns+` FROM gateways WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, gatewayNotFound(id)
	}
	if err != nil {
		return g, fmt.Errorf("gateway %s: %w", id, err)
	}
	return g, nil
}

// ListGateways returns every gateway ordered by name.
func (s *Store) ListGateways(ctx context.Context) ([]model.Gateway, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+gatewayColumns+` FROM gateways ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list gateways: %w", err)
	}
	defer rows.Close()
	out := []model.Gateway{}
	for rows.Next() {
		g, err := scanGateway(rows)
		if err != nil {
			return nil, fmt.Errorf("list gateways: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list gateways: %w", err)
	}
	return out, nil
}

// UpdateGateway replaces the descriptive fields. A nil Raw keeps the stored
// one, so an API edit does not lose what an import kept.
func (s *Store) UpdateGateway(ctx context.Context, g model.Gateway) error {
	return updateGateway(ctx, s.w, g)
}

func updateGateway(ctx context.Context, q querier, g model.Gateway) error {
	res, err := q.ExecContext(ctx, `UPDATE gateways SET name = ?, description = ?, location = ?, raw = COALESCE(?, raw), updated_at = ? WHERE id = ?`,
		g.Name, g.Description, g.Location, rawBlob(g.Raw), toNanos(store.NowIfZero(g.UpdatedAt)), g.ID)
	if isUnique(err) {
		return codes.Conflict("gateway name %q already exists", g.Name)
	}
	if err != nil {
		return fmt.Errorf("update gateway %s: %w", g.ID, err)
	}
	return mustAffect(res, gatewayNotFound(g.ID))
}

// DeleteGateway removes the gateway, its devices, points, last values and key.
func (s *Store) DeleteGateway(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM gateways WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete gateway %s: %w", id, err)
		}
		if err := mustAffect(res, gatewayNotFound(id)); err != nil {
			return err
		}
		return deleteLastValuesUnder(ctx, tx, id)
	})
}

// SetGatewayKey replaces the key hash (key rotation).
func (s *Store) SetGatewayKey(ctx context.Context, id string, keyHash []byte) error {
	res, err := s.w.ExecContext(ctx, `UPDATE gateways SET key_hash = ? WHERE id = ?`, keyHash, id)
	if err != nil {
		return fmt.Errorf("gateway %s key: %w", id, err)
	}
	return mustAffect(res, gatewayNotFound(id))
}

// GatewayKeyHash returns the stored key hash (108 if no such gateway).
func (s *Store) GatewayKeyHash(ctx context.Context, id string) ([]byte, error) {
	var h []byte
	err := s.r.QueryRowContext(ctx, `SELECT key_hash FROM gateways WHERE id = ?`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gatewayNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway %s key: %w", id, err)
	}
	return h, nil
}

func scanGateway(sc scanner) (model.Gateway, error) {
	var g model.Gateway
	var raw []byte
	var created, updated int64
	if err := sc.Scan(&g.ID, &g.Name, &g.Description, &g.Location, &raw, &created, &updated); err != nil {
		return model.Gateway{}, err
	}
	g.Raw, g.CreatedAt, g.UpdatedAt = rawOf(raw), fromNanos(created), fromNanos(updated)
	return g, nil
}

func gatewayNotFound(id string) error {
	return codes.New(codes.IONodeNotExist, "gateway %s does not exist", id)
}

// gatewayExists is the 108 check before writing under a gateway.
func gatewayExists(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM gateways WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return gatewayNotFound(id)
	}
	if err != nil {
		return fmt.Errorf("gateway %s: %w", id, err)
	}
	return nil
}
