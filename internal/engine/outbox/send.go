package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

// Run sends waiting batches in seq order over link until ctx ends, deleting
// each row once acknowledged; then it waits for the batches in flight and
// makes the buffer durable. It returns nil when ctx ends, or the error of
// that last append.
func (o *Outbox) Run(ctx context.Context, link bus.EngineLink) error {
	if !o.running.CompareAndSwap(false, true) {
		return errors.New("outbox: Run is already running")
	}
	defer o.running.Store(false)
	s := &sender{o: o, link: link, results: make(chan result, o.opts.Window), backoff: newBackoff()}
	s.loop(ctx)
	s.stopping = true
	for s.inflight > 0 {
		s.settle(<-s.results)
	}
	s.deleteAcked(true)
	return o.flush()
}

// sender is Run's state; only Run's goroutine touches it.
type sender struct {
	o        *Outbox
	link     bus.EngineLink
	results  chan result
	backoff  *backoff
	cursor   uint64 // highest seq dispatched in this round
	inflight int
	failed   bool  // a send failed: stop dispatching, settle, back off, resend
	lastErr  error // the failure being retried, logged once per streak
	streak   int
	stopping bool      // ctx ended: failures of the last sends are expected
	acked    []row     // acknowledged, not yet deleted
	ackedAt  time.Time // when the oldest of acked came back
}

// ackGroup is how many acknowledged rows are deleted in one transaction at
// most: one commit (and fsync) per group instead of per batch lets a backlog
// drain at the speed of the link rather than of the disk.
const ackGroup = 64

// row is a batch read back for sending.
type row struct {
	seq     uint64
	n       int64
	size    int64
	payload []byte
}

type result struct {
	row row
	ack bus.Ack
	err error
}

func (s *sender) loop(ctx context.Context) {
	for ctx.Err() == nil {
		if s.failed {
			s.recover(ctx)
			continue
		}
		if s.inflight < s.o.opts.Window {
			n, err := s.dispatch(ctx, s.o.opts.Window-s.inflight)
			if err != nil {
				s.fail(err)
				continue
			}
			if n > 0 {
				continue
			}
		}
		s.deleteAcked(false)
		select {
		case r := <-s.results:
			s.settle(r)
		case <-s.o.notify:
		case <-s.ackDue():
		case <-ctx.Done():
		}
	}
}

// recover settles what is in flight, waits out the backoff (or a
// reconnection) and restarts from the oldest waiting row.
func (s *sender) recover(ctx context.Context) {
	if s.inflight > 0 {
		select {
		case r := <-s.results:
			s.settle(r)
		case <-ctx.Done():
		}
		return
	}
	s.deleteAcked(true)
	s.backoff.wait(ctx, s.link.Reconnected())
	s.failed = false
	s.cursor = 0
}

// dispatch starts sending up to k rows after the cursor.
func (s *sender) dispatch(ctx context.Context, k int) (int, error) {
	rows, err := s.o.claim(s.cursor, k)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		s.cursor = r.seq
		s.inflight++
		go s.send(ctx, r)
	}
	return len(rows), nil
}

// send decodes and delivers one row; decoding here rather than in the loop
// spreads the work over the cores while other batches are on the wire.
func (s *sender) send(ctx context.Context, r row) {
	samples, err := decodeBatch(r.seq, r.payload)
	if err != nil {
		s.results <- result{row: r, err: &undecodable{err}}
		return
	}
	s.o.sent.Add(1)
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	b := bus.Batch{Epoch: s.o.epoch, Seq: r.seq, Samples: samples}
	ack, err := s.link.SendBatch(sctx, b)
	// The reply answers this request, so the seq is a sanity check; an ack
	// that leaves it unset (0, never a real seq) is taken as this batch's.
	if err == nil && ack.Seq != r.seq && ack.Seq != 0 {
		err = fmt.Errorf("batch %d: acknowledged as batch %d", r.seq, ack.Seq)
	}
	s.results <- result{row: r, ack: ack, err: err}
}

// settle handles r and every other result already waiting: acknowledged rows
// are queued for deletion, a failure starts the retry path.
func (s *sender) settle(r result) {
	done := []result{r}
	for more := true; more; {
		select {
		case r := <-s.results:
			done = append(done, r)
		default:
			more = false
		}
	}
	progress := false
	for _, r := range done {
		s.inflight--
		var bad *undecodable
		if errors.As(r.err, &bad) {
			s.o.discard(r.row, bad.err)
			continue
		}
		if r.err != nil {
			s.o.failures.Add(1)
			s.fail(fmt.Errorf("batch %d: %w", r.row.seq, r.err))
			continue
		}
		s.o.acked.Add(1)
		if r.ack.Duplicate {
			s.o.duplicates.Add(1)
		}
		if len(s.acked) == 0 {
			s.ackedAt = time.Now()
		}
		s.acked = append(s.acked, r.row)
		progress = true
	}
	if progress && !s.failed {
		s.recovered()
	}
}

// deleteAcked deletes the acknowledged rows when forced, when a group is
// full, when nothing else is in flight, or when the oldest waited a flush
// interval, so Backlog stays current on a slow link.
func (s *sender) deleteAcked(force bool) {
	if len(s.acked) == 0 {
		return
	}
	due := force || len(s.acked) >= ackGroup || s.inflight == 0 ||
		time.Since(s.ackedAt) >= s.o.opts.FlushInterval
	if !due {
		return
	}
	if err := s.o.deleteAcked(s.acked); err != nil {
		// The rows stay and are sent again after the backoff; the platform
		// acknowledges them as duplicates.
		s.fail(err)
	}
	s.acked = s.acked[:0]
}

// ackDue fires when acknowledged rows wait longer than a flush interval.
func (s *sender) ackDue() <-chan time.Time {
	if len(s.acked) == 0 {
		return nil
	}
	return time.After(s.o.opts.FlushInterval - time.Since(s.ackedAt))
}

// undecodable marks a row whose payload cannot be read back.
type undecodable struct{ err error }

func (u *undecodable) Error() string { return u.err.Error() }

func (s *sender) fail(err error) {
	s.failed = true
	if s.stopping {
		return
	}
	if s.streak == 0 {
		s.o.log.Warn("outbox send failed; retrying with backoff", "err", err)
	} else {
		s.o.log.Debug("outbox send failed again", "err", err, "attempt", s.streak+1)
	}
	s.streak++
	s.lastErr = err
}

func (s *sender) recovered() {
	if s.streak > 0 {
		s.o.log.Info("outbox sending again", "after_failures", s.streak, "last_error", s.lastErr)
	}
	s.streak = 0
	s.lastErr = nil
	s.backoff.reset()
}
