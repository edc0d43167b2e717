package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/iotos/iotos/internal/store"
)

var _ store.Store = (*Store)(nil)

// Options tune Open. The zero value is the safe default.
type Options struct {
	// Logger receives store events; nil discards them.
	Logger *slog.Logger
	// Synchronous is SQLite's synchronous pragma: "FULL" (default; an
	// acknowledged batch survives power loss), "NORMAL" or "OFF".
	Synchronous string
	// BusyTimeoutMS bounds how long a connection waits for a lock held by
	// another process (default 10,000).
	BusyTimeoutMS int
}

// Store is a store.Store on one SQLite file.
type Store struct {
	w       *sql.DB // exactly one connection: every write
	r       *sql.DB // read pool
	log     *slog.Logger
	keys    pointKeys
	compact compactor
	path    string
}

// Open opens (creating if needed) the database at path and applies pending
// migrations.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", writeDSN(path, opts))
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", readDSN(path, opts))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	var pending int64
	if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM history_staged`).Scan(&pending); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	s := &Store{w: w, r: r, log: opts.Logger, path: path, keys: pointKeys{m: map[string]int64{}}}
	s.startCompactor(pending)
	s.log.Debug("store opened", "path", path, "synchronous", opts.Synchronous)
	return s, nil
}

// Close stops compaction and closes both pools. Staged batches are durable
// and are compacted after the next Open.
func (s *Store) Close() error {
	s.stopCompactor()
	errR := s.r.Close()
	errW := s.w.Close()
	if errW != nil {
		return fmt.Errorf("sqlite %s: %w", s.path, errW)
	}
	if errR != nil {
		return fmt.Errorf("sqlite %s: %w", s.path, errR)
	}
	return nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Synchronous = strings.ToUpper(o.Synchronous)
	switch o.Synchronous {
	case "":
		o.Synchronous = "FULL"
	case "FULL", "NORMAL", "OFF", "EXTRA":
	default:
		return o, fmt.Errorf("sqlite: synchronous %q is not FULL, NORMAL, OFF or EXTRA", o.Synchronous)
	}
	if o.BusyTimeoutMS <= 0 {
		o.BusyTimeoutMS = 10000
	}
	return o, nil
}

// writeDSN sets the pragmas every write needs; _txlock=immediate takes the
// write lock at BEGIN so a transaction never fails half-way on a lock.
func writeDSN(path string, o Options) string {
	return fileURI(path) + fmt.Sprintf(
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(%s)&_pragma=foreign_keys(1)&_pragma=busy_timeout(%d)&_txlock=immediate",
		o.Synchronous, o.BusyTimeoutMS)
}

// readDSN opens query-only connections: a write slipped onto the read pool
// fails loudly instead of competing with the writer.
func readDSN(path string, o Options) string {
	return fileURI(path) + fmt.Sprintf(
		"?_pragma=synchronous(%s)&_pragma=foreign_keys(1)&_pragma=busy_timeout(%d)&_pragma=query_only(1)",
		o.Synchronous, o.BusyTimeoutMS)
}

// fileURI escapes the characters a file: URI gives meaning to.
func fileURI(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(path)
}
