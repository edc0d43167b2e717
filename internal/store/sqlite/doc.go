// Package sqlite is the default store: one SQLite file (modernc.org/sqlite,
// pure Go) in WAL mode.
//
// Durability: synchronous defaults to FULL, so a batch whose Ingest returned
// has been synced and survives power loss; the platform acknowledges a batch
// to its engine only after that. NORMAL is faster but may lose the last
// transactions on power loss (never on a process crash).
//
// SQLite allows one writer at a time, so every write goes through a pool of
// exactly one connection: ingest, audit and CRUD queue in Go instead of
// failing with SQLITE_BUSY. Reads use a separate pool and, thanks to WAL,
// never wait for the writer.
//
// History: one row per sample cannot reach the ingest target, and neither
// can one row per (point, batch) when a batch holds one sample of each of a
// thousand points. So Ingest writes the whole batch as one staged row (its
// samples grouped by point, encoded compactly: chunk.go, staged.go) together
// with its batch key. A background compactor (compact.go, merge.go) then
// moves staged rows, 64 at a time, into per-point chunk rows indexed by
// (point, ts_min, ts_max), transcoding bytes rather than building Go values.
// Queries read the few staged rows plus only the chunks overlapping the
// range, from one snapshot. Sample.Seq is (staged row ID << 20 | index), so
// equal timestamps keep ingest order before and after compaction.
package sqlite
