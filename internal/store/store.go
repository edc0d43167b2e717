// Package store defines the platform's persistence: the repository interface
// that store/sqlite and store/postgres implement, checked by one conformance
// suite (store/storetest).
//
// Errors: lookups of a missing object return a *codes.Error with 108
// (gateway), 109 (device) or 110 (point); a duplicate ID or name returns
// codes.Conflict (105, HTTP 409); users and tokens not found return 107.
// Anything else is a storage failure.
package store

import (
	"context"
	"time"

	"github.com/iotos/iotos/internal/model"
)

// Store is everything the platform keeps.
type Store interface {
	Model
	Users
	Values
	History
	Audit
	Close() error
}

// Model is gateways, devices and points.
type Model interface {
	// CreateGateway stores a new gateway with the hash of its key.
	CreateGateway(ctx context.Context, g model.Gateway, keyHash []byte) error
	GetGateway(ctx context.Context, id string) (model.Gateway, error)
	ListGateways(ctx context.Context) ([]model.Gateway, error)
	UpdateGateway(ctx context.Context, g model.Gateway) error
	// DeleteGateway removes the gateway with its devices, points, last values
	// and key (history stays until retention removes it).
	DeleteGateway(ctx context.Context, id string) error
	SetGatewayKey(ctx context.Context, id string, keyHash []byte) error
	// GatewayKeyHash returns the stored key hash (108 if no such gateway).
	GatewayKeyHash(ctx context.Context, id string) ([]byte, error)

	CreateDevice(ctx context.Context, d model.Device) error
	GetDevice(ctx context.Context, gw, id string) (model.Device, error)
	ListDevices(ctx context.Context, gw string) ([]model.Device, error)
	UpdateDevice(ctx context.Context, d model.Device) error
	// DeleteDevice removes the device and its points.
	DeleteDevice(ctx context.Context, gw, id string) error

	CreatePoint(ctx context.Context, p model.Point) error
	GetPoint(ctx context.Context, gw, dev, id string) (model.Point, error)
	// ListPoints returns a device's points in table order.
	ListPoints(ctx context.Context, gw, dev string) ([]model.Point, error)
	UpdatePoint(ctx context.Context, p model.Point) error
	DeletePoint(ctx context.Context, gw, dev, id string) error

	// GetTable returns the gateway with all devices and points in table order.
	GetTable(ctx context.Context, gw string) (model.Table, error)
	// ReplaceTable replaces the gateway's devices and points (and its
	// descriptive fields and Raw) with t in one transaction. Last values of
	// points that no longer exist are removed. The key is untouched.
	ReplaceTable(ctx context.Context, t model.Table) error
}

// Role of a user.
type Role string

// Roles.
const (
	RoleAdmin    Role = "admin"
	RoleOperator Role = "operator" // may write points and control collection
	RoleViewer   Role = "viewer"   // read only
)

// User of the platform.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash []byte    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Users is users and their session tokens.
type Users interface {
	// CreateUser stores u and returns its ID (Conflict if the name exists).
	CreateUser(ctx context.Context, u User) (int64, error)
	GetUserByName(ctx context.Context, name string) (User, error)
	GetUser(ctx context.Context, id int64) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, u User) error
	DeleteUser(ctx context.Context, id int64) error
	// CreateToken stores the hash of a session token.
	CreateToken(ctx context.Context, tokenHash []byte, user int64, expires time.Time) error
	// LookupToken returns the user of an unexpired token (107 otherwise).
	LookupToken(ctx context.Context, tokenHash []byte, now time.Time) (User, error)
	DeleteToken(ctx context.Context, tokenHash []byte) error
}

// Values is the last value of every point, persisted so a restarted
// platform serves them at once.
type Values interface {
	// SaveLastValues upserts samples, keeping for each point the one with the
	// newest TS (an older sample never replaces a newer one).
	SaveLastValues(ctx context.Context, samples []model.Sample) error
	// LastValues returns every stored last value (the cache loads them at start).
	LastValues(ctx context.Context) ([]model.Sample, error)
}

// BatchKey identifies one engine batch: the platform stores each key once.
type BatchKey struct {
	Gateway string
	Epoch   string // random per engine outbox
	Seq     uint64
}

// HistoryQuery asks for one point's samples.
type HistoryQuery struct {
	ID       string // full ID
	From, To int64  // Unix ms, inclusive; To 0 = no upper bound
	Limit    int    // maximum samples returned
}

// History is stored samples.
type History interface {
	// Ingest stores a batch's samples in history together with its key, in
	// one transaction. A key already stored makes it a no-op that returns
	// duplicate=true. Samples must carry full IDs; their Seq orders equal
	// timestamps.
	Ingest(ctx context.Context, key BatchKey, samples []model.Sample) (duplicate bool, err error)
	// QueryHistory returns samples ascending by (ts, seq) and whether more
	// matched than Limit.
	QueryHistory(ctx context.Context, q HistoryQuery) (samples []model.Sample, truncated bool, err error)
	// DeleteHistoryBefore removes samples older than ts (retention), in small
	// steps so ingest is never blocked for long. It returns how many went.
	DeleteHistoryBefore(ctx context.Context, ts int64) (int64, error)
}

// AuditRecord is one write or change made by a user.
type AuditRecord struct {
	ID        int64     `json:"id"`
	Time      time.Time `json:"time"`
	User      string    `json:"user"`
	Action    string    `json:"action"` // "write", "create", "update", "delete", "import", "rotate-key", "collect", "broadcast", "browse", "login"
	Object    string    `json:"object"` // full ID, gateway or device ID, user name
	Value     string    `json:"value,omitempty"`
	Code      int       `json:"code"`
	Result    string    `json:"result"`
	LatencyMS int64     `json:"latency_ms"`
}

// AuditQuery filters the audit log; newest first.
type AuditQuery struct {
	Object string // prefix match; empty = all
	User   string
	Before int64 // record ID to page from (0 = newest)
	Limit  int
}

// Audit is the append-only audit log.
type Audit interface {
	AppendAudit(ctx context.Context, r AuditRecord) error
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditRecord, error)
}
