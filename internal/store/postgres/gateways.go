package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/jackc/pgx/v5"
)

const gatewayColumns = `id, name, description, location, raw, created_at, updated_at`

// CreateGateway stores a new gateway with the hash of its key. Gateway names
// are unique across the platform.
func (s *Store) CreateGateway(ctx context.Context, g model.Gateway, keyHash []byte) error {
	created, updated := store.Stamp(g.CreatedAt, g.UpdatedAt)
	_, err := s.pool.Exec(ctx, `INSERT INTO gateways (`+gatewayColumns+`, key_hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		g.ID, g.Name, g.Description, g.Location, blobArg(g.Raw), created, updated, keyHash)
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
	return getGateway(ctx, s.pool, id)
}

func getGateway(ctx context.Context, q querier, id string) (model.Gateway, error) {
	g, err := scanGateway(q.QueryRow(ctx, `SELECT `+gatewayColumns+` FROM gateways WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return g, gatewayNotFound(id)
	}
	if err != nil {
		return g, fmt.Errorf("gateway %s: %w", id, err)
	}
	return g, nil
}

// ListGateways returns every gateway ordered by name.
func (s *Store) ListGateways(ctx context.Context) ([]model.Gateway, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+gatewayColumns+` FROM gateways ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list gateways: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Gateway, error) { return scanGateway(r) })
	if err != nil {
		return nil, fmt.Errorf("list gateways: %w", err)
	}
	if out == nil {
		out = []model.Gateway{}
	}
	return out, nil
}

// UpdateGateway replaces the descriptive fields. A nil Raw keeps the stored
// one, so an API edit does not lose what an import kept.
func (s *Store) UpdateGateway(ctx context.Context, g model.Gateway) error {
	return updateGateway(ctx, s.pool, g)
}

func updateGateway(ctx context.Context, q querier, g model.Gateway) error {
	tag, err := q.Exec(ctx, `UPDATE gateways SET name = $1, description = $2, location = $3, raw = COALESCE($4, raw), updated_at = $5
		WHERE id = $6`, g.Name, g.Description, g.Location, blobArg(g.Raw), store.NowIfZero(g.UpdatedAt), g.ID)
	if isUnique(err) {
		return codes.Conflict("gateway name %q already exists", g.Name)
	}
	if err != nil {
		return fmt.Errorf("update gateway %s: %w", g.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return gatewayNotFound(g.ID)
	}
	return nil
}

// DeleteGateway removes the gateway, its devices, points (by cascade), last
// values and key.
func (s *Store) DeleteGateway(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM gateways WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete gateway %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return gatewayNotFound(id)
		}
		return deleteLastValuesUnder(ctx, tx, id)
	})
}

// SetGatewayKey replaces the key hash (key rotation).
func (s *Store) SetGatewayKey(ctx context.Context, id string, keyHash []byte) error {
	tag, err := s.pool.Exec(ctx, `UPDATE gateways SET key_hash = $1 WHERE id = $2`, keyHash, id)
	if err != nil {
		return fmt.Errorf("gateway %s key: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return gatewayNotFound(id)
	}
	return nil
}

// GatewayKeyHash returns the stored key hash (108 if no such gateway).
func (s *Store) GatewayKeyHash(ctx context.Context, id string) ([]byte, error) {
	var h []byte
	err := s.pool.QueryRow(ctx, `SELECT key_hash FROM gateways WHERE id = $1`, id).Scan(&h)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, gatewayNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway %s key: %w", id, err)
	}
	return h, nil
}

func scanGateway(row pgx.Row) (model.Gateway, error) {
	var g model.Gateway
	var raw []byte
	var created, updated time.Time
	if err := row.Scan(&g.ID, &g.Name, &g.Description, &g.Location, &raw, &created, &updated); err != nil {
		return model.Gateway{}, err
	}
	g.Raw, g.CreatedAt, g.UpdatedAt = rawOf(raw), utc(created), utc(updated)
	return g, nil
}

// lockGateway checks that the gateway exists (108 otherwise) and locks its
// row against concurrent appends, so device order numbers are unique. The
// lock does not block foreign-key checks of other writers.
func lockGateway(ctx context.Context, tx pgx.Tx, id string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM gateways WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return gatewayNotFound(id)
	}
	if err != nil {
		return fmt.Errorf("gateway %s: %w", id, err)
	}
	return nil
}

// gatewayExists is the 108 check.
func gatewayExists(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM gateways WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return gatewayNotFound(id)
	}
	if err != nil {
		return fmt.Errorf("gateway %s: %w", id, err)
	}
	return nil
}
