package platform

import (
	"context"
	"time"
)

// startBackground runs the platform's periodic work: history retention.
// Retention deletes in small steps inside the store, so ingest is never
// blocked for long.
func (p *Platform) startBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	p.stopBg = cancel
	p.bgDone = make(chan struct{})
	go func() {
		defer close(p.bgDone)
		if p.cfg.Retention <= 0 {
			<-ctx.Done()
			return
		}
		t := time.NewTicker(retentionEvery(p.cfg.Retention))
		defer t.Stop()
		for {
			p.applyRetention(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// retentionEvery runs retention often enough for short test retentions and
// hourly for real ones.
func retentionEvery(r time.Duration) time.Duration {
	every := r / 10
	if every > time.Hour {
		every = time.Hour
	}
	if every < time.Second {
		every = time.Second
	}
	return every
}

func (p *Platform) applyRetention(ctx context.Context) {
	cutoff := time.Now().Add(-p.cfg.Retention).UnixMilli()
	n, err := p.store.DeleteHistoryBefore(ctx, cutoff)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("history retention failed", "err", err)
		}
		return
	}
	if n > 0 {
		p.log.Info("history retention", "removed", n, "before", time.UnixMilli(cutoff).UTC())
	}
}
