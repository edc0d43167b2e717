// Package postgres is the store for cluster mode: every platform replica
// keeps its model, users, last values, history and audit in one shared
// PostgreSQL database (jackc/pgx/v5 with a connection pool).
//
// Schema: numbered migrations embedded in the binary (migrations/*.sql) are
// applied at Open inside one transaction holding an advisory lock, so
// replicas starting together migrate once and never see half a schema. The
// tables live in the connection's search_path (schema "public" by default;
// `?search_path=iotos` in the URL picks another, which must exist).
//
// History is one row per sample, written with COPY in the same transaction
// as the batch key; the key's primary key makes a batch delivered twice,
// even to two replicas at once, be stored once (the second insert waits for
// the first to commit and then finds the key). Queries read the
// (point, ts) index; retention finds old rows through a BRIN index on
// ts. Under MVCC neither queries nor retention ever block ingest.
//
// Every method is safe for concurrent use by many goroutines and by several
// processes: ordering columns are assigned under a row lock of the parent,
// and batched upserts lock rows in ID order so they cannot deadlock.
package postgres
