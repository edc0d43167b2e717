package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

const userColumns = `id, name, role, password_hash, created_at`

// CreateUser stores u and returns its ID (Conflict if the name exists).
func (s *Store) CreateUser(ctx context.Context, u store.User) (int64, error) {
	created, _ := store.Stamp(u.CreatedAt, u.CreatedAt)
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO users (name, role, password_hash, created_at) VALUES ($1,$2,$3,$4) RETURNING id`,
		u.Name, string(u.Role), u.PasswordHash, created).Scan(&id)
	if isUnique(err) {
		return 0, codes.Conflict("user %q already exists", u.Name)
	}
	if err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	return id, nil
}

// GetUserByName returns a user by name (107 if none).
func (s *Store) GetUserByName(ctx context.Context, name string) (store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, codes.New(codes.AccountNotRegister, "user %q does not exist", name)
	}
	if err != nil {
		return u, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// GetUser returns a user by ID (107 if none).
func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, userNotFound(id)
	}
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	if out == nil {
		out = []store.User{}
	}
	return out, nil
}

// UpdateUser changes name and role, and the password hash when u carries one
// (a nil hash keeps the stored password).
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET name = $1, role = $2, password_hash = COALESCE($3, password_hash) WHERE id = $4`,
		u.Name, string(u.Role), u.PasswordHash, u.ID)
	if isUnique(err) {
		return codes.Conflict("user %q already exists", u.Name)
	}
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return userNotFound(u.ID)
	}
	return nil
}

// DeleteUser removes a user and its tokens.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return userNotFound(id)
	}
	return nil
}

// CreateToken stores the hash of a session token (107 if the user is gone:
// the foreign key checks it atomically).
func (s *Store) CreateToken(ctx context.Context, tokenHash []byte, user int64, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO tokens (hash, user_id, expires) VALUES ($1,$2,$3)`, tokenHash, user, expires)
	switch {
	case sqlState(err) == foreignKeyViolation:
		return userNotFound(user)
	case isUnique(err):
		return codes.Conflict("token already exists")
	case err != nil:
		return fmt.Errorf("token of user %d: %w", user, err)
	}
	return nil
}

// LookupToken returns the user of an unexpired token (107 otherwise).
func (s *Store) LookupToken(ctx context.Context, tokenHash []byte, now time.Time) (store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM tokens t
		JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.expires > $2`, tokenHash, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, codes.New(codes.AccountNotRegister, "session token unknown or expired")
	}
	if err != nil {
		return u, fmt.Errorf("lookup token: %w", err)
	}
	return u, nil
}

// DeleteToken removes a token (logout); deleting an unknown token is not an
// error, so logging out twice succeeds.
func (s *Store) DeleteToken(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}

func scanUser(row pgx.Row) (store.User, error) {
	var u store.User
	var role string
	var created time.Time
	if err := row.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, &created); err != nil {
		return store.User{}, err
	}
	u.Role, u.CreatedAt = store.Role(role), utc(created)
	return u, nil
}
