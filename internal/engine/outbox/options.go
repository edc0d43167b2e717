package outbox

import (
	"io"
	"log/slog"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxBytes      = 256 << 20
	DefaultFlushInterval = 100 * time.Millisecond
	DefaultMaxBatch      = 2000
	DefaultWindow        = 8
)

const (
	// maxPayload bounds one batch's encoded samples, well under the bus's
	// default 1 MB payload limit so the envelope fits around it.
	maxPayload = 512 << 10
	// pendingFactor×MaxBatch samples may wait in memory before Add pushes back.
	pendingFactor = 16
	// kickFactor×MaxBatch buffered samples make the flusher append before
	// its tick. Half the bound leaves Add room while the append runs, and
	// it is well above one batch: kicking at every full batch made a fast
	// collection append (and fsync) dozens of times a second, each a
	// transaction whose fixed cost dwarfs its rows, where the tick would
	// have made one append carry several batches.
	kickFactor = pendingFactor / 2
	// maxAddWait is the longest Add waits for room before dropping the oldest
	// buffered samples.
	maxAddWait = time.Second
	// sendTimeout bounds one SendBatch call in case a link never answers.
	sendTimeout = 30 * time.Second
	// capTarget is the fraction of MaxBytes the files shrink to when the cap
	// is exceeded, so that the next appends do not trigger drops again at once.
	capTarget = 0.9
)

// Options tune an Outbox; the zero value is the production default.
type Options struct {
	MaxBytes      int64         // cap on database + WAL files; 0 = 256 MiB
	FlushInterval time.Duration // a sample is durable within this of Add; 0 = 100 ms
	MaxBatch      int           // samples per batch; 0 = 2000
	Window        int           // batches in flight at once; 0 = 8
	Logger        *slog.Logger  // nil discards
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Stats is a snapshot of the outbox for status reports and metrics.
type Stats struct {
	Epoch      string
	Batches    int64         // rows waiting for an acknowledgement
	Samples    int64         // samples in those rows
	Bytes      int64         // encoded payload bytes in those rows
	DiskBytes  int64         // database + WAL file sizes
	Buffered   int64         // samples added but not yet durable
	OldestAge  time.Duration // age of the oldest waiting row; 0 when empty
	LastSeq    uint64        // highest seq ever assigned in this epoch
	Dropped    int64         // samples dropped by the cap or back-pressure, ever
	Sent       int64         // SendBatch calls since Open
	Acked      int64         // batches acknowledged since Open (duplicates included)
	Duplicates int64         // acknowledgements marked duplicate since Open
	Failures   int64         // SendBatch calls that failed since Open
}
