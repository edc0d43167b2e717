package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

const userColumns = `id, name, role, password_hash, created_at`

// CreateUser stores u and returns its ID (Conflict if the name exists).
func (s *Store) CreateUser(ctx context.Context, u store.User) (int64, error) {
	created, _ := store.Stamp(u.CreatedAt, u.CreatedAt)
	res, err := s.w.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, created_at) VALUES (?,?,?,?)`,
		u.Name, string(u.Role), u.PasswordHash, toNanos(created))
	if isUnique(err) {
		return 0, codes.Conflict("user %q already exists", u.Name)
	}
	if err != nil {
		return 0, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	return res.LastInsertId()
}

// GetUserByName returns a user by name (107 if none).
func (s *Store) GetUserByName(ctx context.Context, name string) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, codes.New(codes.AccountNotRegister, "user %q does not exist", name)
	}
	if err != nil {
		return u, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// GetUser returns a user by ID (107 if none).
func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, userNotFound(id)
	}
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []store.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UpdateUser changes name and role, and the password hash when u carries one
// (a nil hash keeps the stored password).
func (s *Store) UpdateUser(ctx context.Context, u store.User) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, password_hash = COALESCE(?, password_hash) WHERE id = ?`,
		u.Name, string(u.Role), u.PasswordHash, u.ID)
	if isUnique(err) {
		return codes.Conflict("user %q already exists", u.Name)
	}
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return mustAffect(res, userNotFound(u.ID))
}

// DeleteUser removes a user and its tokens.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return mustAffect(res, userNotFound(id))
}

// CreateToken stores the hash of a session token (107 if the user is gone).
func (s *Store) CreateToken(ctx context.Context, tokenHash []byte, user int64, expires time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, user).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return userNotFound(user)
		}
		if err != nil {
			return fmt.Errorf("token of user %d: %w", user, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, expires) VALUES (?,?,?)`, tokenHash, user, toNanos(expires))
		if isUnique(err) {
			return codes.Conflict("token already exists")
		}
		if err != nil {
			return fmt.Errorf("token of user %d: %w", user, err)
		}
		return nil
	})
}

// LookupToken returns the user of an unexpired token (107 otherwise).
func (s *Store) LookupToken(ctx context.Context, tokenHash []byte, now time.Time) (store.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM tokens t
		JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND t.expires > ?`, tokenHash, toNanos(now)))
	if errors.Is(err, sql.ErrNoRows) {
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
	if _, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}

func scanUser(sc scanner) (store.User, error) {
	var u store.User
	var role string
	var created int64
	if err := sc.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, &created); err != nil {
		return store.User{}, err
	}
	u.Role, u.CreatedAt = store.Role(role), fromNanos(created)
	return u, nil
}

func userNotFound(id int64) error {
	return codes.New(codes.AccountNotRegister, "user %d does not exist", id)
}
