-- Model: gateways, devices and points. Times are Unix nanoseconds (UTC);
-- JSON columns hold the model's free-form fields; raw keeps imported .tb objects.
CREATE TABLE gateways (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	location    TEXT NOT NULL DEFAULT '',
	key_hash    BLOB,
	raw         BLOB,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

CREATE TABLE devices (
	gateway     TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
	id          TEXT NOT NULL,
	ord         INTEGER NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	driver      TEXT NOT NULL DEFAULT '',
	config      TEXT,
	enabled     INTEGER NOT NULL DEFAULT 0,
	parent      TEXT NOT NULL DEFAULT '',
	subscribe   TEXT,
	template    TEXT NOT NULL DEFAULT '',
	raw         BLOB,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (gateway, id),
	UNIQUE (gateway, name)
);
CREATE INDEX devices_ord ON devices(gateway, ord);

CREATE TABLE points (
	gateway       TEXT NOT NULL,
	device        TEXT NOT NULL,
	id            TEXT NOT NULL,
	ord           INTEGER NOT NULL,
	name          TEXT NOT NULL,
	description   TEXT NOT NULL DEFAULT '',
	type          TEXT NOT NULL,
	access        TEXT NOT NULL,
	unit          TEXT NOT NULL DEFAULT '',
	min           REAL,
	max           REAL,
	default_value TEXT,
	pattern       TEXT NOT NULL DEFAULT '',
	deadband      REAL NOT NULL DEFAULT 0,
	interval_ms   INTEGER NOT NULL DEFAULT 0,
	expr          TEXT NOT NULL DEFAULT '',
	config        TEXT,
	proxy         TEXT,
	parent        TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0,
	raw           BLOB,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	PRIMARY KEY (gateway, device, id),
	UNIQUE (gateway, device, name),
	FOREIGN KEY (gateway, device) REFERENCES devices(gateway, id) ON DELETE CASCADE
);
CREATE INDEX points_ord ON points(gateway, device, ord);

-- Last value of every point, keyed by full ID so deletes can drop a prefix.
CREATE TABLE last_values (
	id      TEXT PRIMARY KEY,
	kind    INTEGER NOT NULL,
	value,
	ts      INTEGER NOT NULL,
	quality TEXT NOT NULL,
	code    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL,
	password_hash BLOB,
	created_at    INTEGER NOT NULL
);

CREATE TABLE tokens (
	hash    BLOB PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_user ON tokens(user_id);

-- History: a small integer per full ID, chunk rows of encoded samples, and
-- the keys of ingested batches (for exactly-once storage).
CREATE TABLE history_points (
	key INTEGER PRIMARY KEY,
	id  TEXT NOT NULL UNIQUE
);

CREATE TABLE history_chunks (
	id     INTEGER PRIMARY KEY,
	point  INTEGER NOT NULL,
	ts_min INTEGER NOT NULL,
	ts_max INTEGER NOT NULL,
	n      INTEGER NOT NULL,
	data   BLOB NOT NULL
);
-- ts_max in the index lets a range scan skip old chunks without reading them.
CREATE INDEX history_chunks_point_ts ON history_chunks(point, ts_min, ts_max);
CREATE INDEX history_chunks_ts_max ON history_chunks(ts_max);

CREATE TABLE history_batches (
	gateway    TEXT NOT NULL,
	epoch      TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (gateway, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX history_batches_created ON history_batches(created_at);

CREATE TABLE audit (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	time       INTEGER NOT NULL,
	user       TEXT NOT NULL,
	action     TEXT NOT NULL,
	object     TEXT NOT NULL,
	value      TEXT NOT NULL DEFAULT '',
	code       INTEGER NOT NULL,
	result     TEXT NOT NULL DEFAULT '',
	latency_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audit_object ON audit(object);
CREATE INDEX audit_user ON audit(user, id);
