package bus

import (
	"context"

	"github.com/iotos/iotos/internal/model"
)

// EngineHandler serves the commands the platform sends to an engine. Each
// call's context carries the command's deadline (its TimeoutMS from receipt).
type EngineHandler interface {
	Write(ctx context.Context, cmd WriteCmd) Reply
	Read(ctx context.Context, cmd ReadCmd) Reply
	Broadcast(ctx context.Context, cmd BroadcastCmd) Reply
	Collect(ctx context.Context, cmd CollectCmd) Reply
	Reload(cmd ReloadCmd)
}

// EngineBrowser is implemented by engine handlers that serve cmd.browse.
// It is separate from EngineHandler so every handler need not know about
// browsing; a handler without it answers 515 (not supported).
type EngineBrowser interface {
	Browse(ctx context.Context, cmd BrowseCmd) Reply
}

// EngineLink is an engine's connection to the platform, logged in as its
// gateway. It reconnects on its own (capped exponential backoff with jitter)
// and keeps its subscriptions across reconnects.
type EngineLink interface {
	// Gateway is the gateway ID the link is logged in as.
	Gateway() string
	// SendBatch delivers a batch and waits for its acknowledgement. It
	// returns an error (code 6 when not connected, 519 on timeout, or the
	// platform's negative acknowledgement) unless the batch is durably stored.
	SendBatch(ctx context.Context, b Batch) (Ack, error)
	// PublishStatus sends the engine's status (fire and forget).
	PublishStatus(st Status) error
	// TableIndex asks for the gateway's device list with version hashes.
	TableIndex(ctx context.Context) (TableIndex, error)
	// DeviceTable asks for one device's table.
	DeviceTable(ctx context.Context, id string) (DeviceTable, error)
	// Values asks the platform's last-value cache; ids are "dev.pt".
	Values(ctx context.Context, ids []string) ([]model.Sample, error)
	// Serve subscribes h to the gateway's commands until Close.
	Serve(h EngineHandler) error
	// Connected reports whether the link is up now.
	Connected() bool
	// Reconnected receives a value after every successful (re)connection
	// (buffered, capacity 1, never blocks the link).
	Reconnected() <-chan struct{}
	// Close drains and closes the connection.
	Close() error
}

// PlatformHandler serves what engines send to the platform. gw is the
// sending gateway, taken from the subject — the connection's permissions
// guarantee a gateway can only publish on its own subjects.
type PlatformHandler interface {
	// Batch stores a batch durably and returns its acknowledgement; an error
	// is a negative acknowledgement (only a storage failure should be one).
	Batch(ctx context.Context, gw string, b Batch) (Ack, error)
	Status(gw string, st Status)
	TableIndex(ctx context.Context, gw string) (TableIndex, error)
	DeviceTable(ctx context.Context, gw, dev string) (DeviceTable, error)
	Values(ctx context.Context, gw string, ids []string) ([]model.Sample, error)
}

// PlatformLink is the platform's connection to the bus, with full rights.
type PlatformLink interface {
	// Serve subscribes h to every gateway's up.* and req.* subjects (in a
	// queue group, so several platform replicas share the work).
	Serve(h PlatformHandler) error
	// Command sends a cmd.* request (KindWrite, KindRead, KindBroadcast,
	// KindCollect, KindBrowse) to a gateway's engine and returns its reply as sent.
	// No engine listening is code 3 (ObjectOffline) at once; no reply
	// before ctx's deadline is 519.
	Command(ctx context.Context, gw, kind string, cmd any) (Reply, error)
	// NotifyReload tells a gateway's engine that device tables changed.
	NotifyReload(gw string, cmd ReloadCmd) error
	Close() error
}
