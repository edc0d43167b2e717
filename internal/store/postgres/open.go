package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

var _ store.Store = (*Store)(nil)

// Options tune Open. The zero value is the default.
type Options struct {
	// Logger receives store events; nil discards them.
	Logger *slog.Logger
	// MaxConns, when set, bounds the pool, overriding the URL's
	// pool_max_conns (pgxpool's default is max(4, CPUs)).
	MaxConns int32
	// ConnectTimeout bounds reaching the server at Open (default 10 s).
	ConnectTimeout time.Duration
}

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	keys pointKeys
	name string // the URL without its password, for messages
}

// IsURL reports whether db names a PostgreSQL database rather than a file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open connects to the database at url (postgres://user:pass@host:port/db?…)
// and applies pending migrations. A malformed URL or a server that cannot
// be reached or refuses the login is an ArgError: the URL is what is wrong.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	name := Redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, codes.New(codes.ArgError, "PostgreSQL URL %s: %v", name, err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, codes.New(codes.ArgError, "PostgreSQL %s: %v", name, err)
	}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, codes.New(codes.ArgError, "PostgreSQL %s unreachable: %v", name, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL %s: %w", name, err)
	}
	s := &Store{pool: pool, log: opts.Logger, name: name, keys: pointKeys{m: map[string]int32{}}}
	s.log.Debug("store opened", "db", name)
	return s, nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Redact drops the password from a database URL, for messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key held while migrating ("iotos" in
// ASCII), shared by every replica using the database.
const migrationLock = 0x696f746f73

// migrate applies every migration newer than the recorded schema version in
// one transaction under an advisory lock: a second replica starting at the
// same moment waits, then finds the schema current. A failed upgrade leaves
// the database as it was.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	steps, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS iotos_schema_version (version integer NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM iotos_schema_version`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range steps {
			if m.Version <= current {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO iotos_schema_version (version) VALUES ($1)`, m.Version); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// SchemaVersion is the newest migration embedded in this build.
func SchemaVersion() int {
	steps, err := store.LoadMigrations(migrations, "migrations")
	if err != nil || len(steps) == 0 {
		return 0
	}
	return steps[len(steps)-1].Version
}

// SQLSTATE codes the store turns into canonical errors or retries.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	deadlockDetected    = "40P01"
	serializationFailed = "40001"
)

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isUnique reports whether err is a primary-key or unique violation: a
// duplicate ID or name, which callers turn into codes.Conflict.
func isUnique(err error) bool { return sqlState(err) == uniqueViolation }

// pgDetail is the server's detail of a constraint error ("Key (…)=(…)
// already exists."), which names the duplicate when a COPY failed.
func pgDetail(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Detail != "" {
		return pe.Detail
	}
	return ""
}

// inTx runs fn in a transaction and commits if it succeeds. A deadlock or
// serialization failure, which PostgreSQL resolves by aborting one side,
// is retried a few times: fn must be safe to run again.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = pgx.BeginFunc(ctx, s.pool, fn)
		if st := sqlState(err); st != deadlockDetected && st != serializationFailed {
			return err
		}
		s.log.Debug("transaction retried", "err", err)
	}
	return err
}

// readTx runs fn in a read-only repeatable-read transaction, so a
// multi-query read (a whole table) sees one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// querier is what the pool and a transaction both offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
