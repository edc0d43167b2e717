-- Staged history: each Ingest writes its whole batch as one row here (cheap
-- enough for the ingest target); a background compaction regroups staged
-- rows into per-point history_chunks. AUTOINCREMENT keeps IDs increasing
-- forever, because they order equal timestamps (Sample.Seq).
CREATE TABLE history_staged (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	ts_min INTEGER NOT NULL,
	ts_max INTEGER NOT NULL,
	n      INTEGER NOT NULL,
	data   BLOB NOT NULL
);
CREATE INDEX history_staged_ts_max ON history_staged(ts_max);
