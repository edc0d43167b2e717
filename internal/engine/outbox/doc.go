// Package outbox is the engine's record of truth for collected samples: a
// durable store-and-forward log between the engine and the platform.
//
// # Flow
//
// Add copies samples into an in-memory buffer and returns. A flusher
// goroutine (started by Open, stopped by Close) takes the buffer at least
// every FlushInterval, cuts it into batches of at most MaxBatch samples whose
// JSON on the bus stays under maxPayload (512 KiB, half the bus's default
// message limit), and appends them to a SQLite database in one transaction,
// one row per batch: (seq, created_ms, n, payload). The payload is a compact
// binary encoding (codec.go) that decodes to exactly the JSON the samples
// would have produced. Samples that cannot travel as JSON (NaN, ±Inf) are
// left out and counted in Dropped. Run sends the rows in seq order with
// bus.EngineLink.SendBatch and deletes a row only after the platform
// acknowledged it (a duplicate acknowledgement counts as delivered: the
// platform stored it earlier). Acknowledged rows are deleted in groups of up
// to 64 per transaction, and at least every FlushInterval.
//
// # Durability (fsync policy)
//
// The database runs in WAL mode with synchronous=FULL: every append
// transaction fsyncs the WAL before it commits, so a sample is durable — across
// a process crash, SIGKILL and power loss — within FlushInterval (plus one
// commit) of Add. NORMAL would save one fsync per flush, but a power cut could
// then lose samples the outbox already treated as durable; at the default ten
// flushes a second the fsync is cheap. Deletes of acknowledged rows share the
// policy; losing one would only cause a resend, which the platform
// deduplicates.
//
// # Keys and order
//
// A batch's key is (gateway, epoch, seq). The epoch is 16 random hex digits
// made when the database is created and kept in its meta row; seq increases by
// one per batch and is never reused within an epoch, because the highest seq
// ever assigned lives in the meta row (deleting the tail row cannot make a
// seq come back). SendBatch calls are issued in seq order with up to Window
// of them in flight, so a backlog drains at the speed acknowledgements come
// back rather than one round trip per batch; with Window > 1 neighbouring
// calls overlap and may reach the platform out of order, which is harmless
// because history is ordered by (ts, seq) and the last-value cache only moves
// to a newer ts. Window = 1 gives strict order on the wire.
//
// # Back-pressure
//
// Add never blocks while the buffer holds fewer than 16×MaxBatch samples
// (32,000 by default).
// Past that (the disk is slower than collection) Add waits for the flusher to
// take the buffer, at most maxAddWait (1 s) per call; if it is still full then,
// the oldest buffered samples are dropped, counted in Dropped and logged, so
// memory stays bounded and collection never stalls for more than a second.
//
// # Byte cap
//
// After every append the database and WAL file sizes are measured. Over
// MaxBytes, the outbox first reclaims free pages (WAL checkpoint with
// TRUNCATE and incremental vacuum; auto_vacuum=INCREMENTAL is set when the
// file is created). If that is not enough it drops the oldest batches that
// were never handed to SendBatch, until the files are at 90% of the cap, and
// adds every dropped sample to Dropped (persisted in the meta row). Batches
// already handed to SendBatch are never dropped, because they may have been
// delivered and Dropped counts exactly the samples that were not. (Across a
// restart the outbox cannot know which rows were in flight when it stopped;
// a batch delivered just before a crash whose acknowledgement was lost may be
// dropped and counted.) The WAL's
// auto-checkpoint and size limit scale with the cap, so between appends the
// files stay within 2% over it.
//
// # Crash safety
//
// Open runs PRAGMA quick_check. A database that fails it (or does not open)
// is moved aside as outbox.db.corrupt-<unix ms> and a new one, with a new
// epoch, is created, so a damaged file costs its content but never stops
// collection.
package outbox
