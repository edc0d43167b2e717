package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// fileName is the database inside the outbox directory.
const fileName = "outbox.db"

const schema = `
CREATE TABLE IF NOT EXISTS meta (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	epoch      TEXT    NOT NULL,
	max_seq    INTEGER NOT NULL,
	dropped    INTEGER NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
	seq        INTEGER PRIMARY KEY,
	created_ms INTEGER NOT NULL,
	n          INTEGER NOT NULL,
	payload    BLOB    NOT NULL
);`

// meta is the singleton row that outlives every batch.
type meta struct {
	epoch   string
	maxSeq  uint64
	dropped int64
}

// walPages is the WAL auto-checkpoint size for a cap: about 1/64 of it, so
// the WAL between appends adds at most ~2% to the disk use, and never more
// than SQLite's default of 1000 pages.
func walPages(maxBytes int64) int64 {
	return min(max(maxBytes/64/4096, 16), 1000)
}

// dsn builds the connection string. Every pragma is per connection, so it
// is in the DSN rather than executed once: database/sql may reopen the
// connection. auto_vacuum only takes effect on a new file.
func dsn(path string, maxBytes int64) string {
	pages := walPages(maxBytes)
	q := url.Values{}
	q.Add("_pragma", "auto_vacuum(INCREMENTAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "wal_autocheckpoint("+strconv.FormatInt(pages, 10)+")")
	q.Add("_pragma", "journal_size_limit("+strconv.FormatInt(pages*4096, 10)+")")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// openDB opens (or creates) the database and returns it with its meta row.
// A file that does not open or fails quick_check is moved aside and
// replaced, so a damaged outbox never stops collection.
func openDB(ctx context.Context, dir string, maxBytes int64) (*sql.DB, meta, error) {
	path := filepath.Join(dir, fileName)
	db, m, err := openChecked(ctx, path, maxBytes)
	if err == nil || !errors.Is(err, errCorrupt) {
		return db, m, err
	}
	aside, qerr := quarantine(path)
	if qerr != nil {
		return nil, meta{}, fmt.Errorf("%w; moving it aside: %v", err, qerr)
	}
	db, m, err2 := openChecked(ctx, path, maxBytes)
	if err2 != nil {
		return nil, meta{}, err2
	}
	return db, m, &quarantined{aside: aside, cause: err}
}

// errCorrupt marks a database that exists but cannot be trusted.
var errCorrupt = errors.New("outbox database is damaged")

// quarantined reports that Open replaced a damaged database; Open logs it
// and carries on.
type quarantined struct {
	aside string
	cause error
}

func (q *quarantined) Error() string {
	return fmt.Sprintf("%v; moved to %s and started a new outbox", q.cause, q.aside)
}

func openChecked(ctx context.Context, path string, maxBytes int64) (*sql.DB, meta, error) {
	db, err := sql.Open("sqlite", dsn(path, maxBytes))
	if err != nil {
		return nil, meta{}, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: appends, sends and drops are serialized by database/sql
	// instead of fighting over SQLITE_BUSY, and the pragmas stay in force.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	m, err := prepare(ctx, db)
	if err != nil {
		db.Close()
		return nil, meta{}, fmt.Errorf("%s: %w", path, err)
	}
	return db, m, nil
}

// prepare checks integrity, creates the schema and loads the meta row.
func prepare(ctx context.Context, db *sql.DB) (meta, error) {
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		if isCorruption(err) {
			return meta{}, fmt.Errorf("%w: quick_check: %v", errCorrupt, err)
		}
		return meta{}, fmt.Errorf("quick_check: %w", err)
	}
	if check != "ok" {
		return meta{}, fmt.Errorf("%w: quick_check: %s", errCorrupt, check)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return meta{}, fmt.Errorf("schema: %w", err)
	}
	epoch, err := newEpoch()
	if err != nil {
		return meta{}, err
	}
	if _, err := db.ExecContext(ctx,
		`INSERT OR IGNORE INTO meta (id, epoch, max_seq, dropped, created_ms) VALUES (1, ?, 0, 0, ?)`,
		epoch, time.Now().UnixMilli()); err != nil {
		return meta{}, fmt.Errorf("create meta: %w", err)
	}
	var m meta
	var maxSeq int64
	err = db.QueryRowContext(ctx, `SELECT epoch, max_seq, dropped FROM meta WHERE id = 1`).
		Scan(&m.epoch, &maxSeq, &m.dropped)
	if err != nil {
		return meta{}, fmt.Errorf("meta: %w", err)
	}
	m.maxSeq = uint64(maxSeq)
	return m, nil
}

// isCorruption tells a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB) from
// errors such as permissions, which must not cost the file its content.
func isCorruption(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	primary := se.Code() & 0xff
	return primary == sqlite3.SQLITE_CORRUPT || primary == sqlite3.SQLITE_NOTADB
}

// newEpoch makes 16 random hex digits.
func newEpoch() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("epoch: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// quarantine renames the database and its WAL and shared-memory files aside.
func quarantine(path string) (string, error) {
	aside := fmt.Sprintf("%s.corrupt-%d", path, time.Now().UnixMilli())
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := os.Rename(path+suffix, aside+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return aside, nil
}

// diskBytes is the size of the database plus its WAL, the quantity the cap
// bounds.
func diskBytes(dir string) int64 {
	var total int64
	for _, name := range []string{fileName, fileName + "-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			total += fi.Size()
		}
	}
	return total
}
