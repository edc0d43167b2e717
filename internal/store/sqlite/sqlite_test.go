package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/iotos/iotos/internal/model"
	"github.com/iotos/iotos/internal/store"
	"github.com/iotos/iotos/internal/store/storetest"
)

func openTemp(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "iotos.db")
	s, err := Open(testCtx(t), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t, Options{})
		return s
	})
}

// compacting compacts staged batches after every every-th Ingest, so the
// suite also runs against compacted chunks and a mix of both.
type compacting struct {
	*Store
	every, n int
}

func (c *compacting) Ingest(ctx context.Context, key store.BatchKey, samples []model.Sample) (bool, error) {
	dup, err := c.Store.Ingest(ctx, key, samples)
	if c.n++; err == nil && c.n%c.every == 0 {
		err = c.compactAll(ctx)
	}
	return dup, err
}

func TestConformanceCompacted(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t, Options{})
		return &compacting{Store: s, every: 1}
	})
}

func TestConformanceMixed(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t, Options{Synchronous: "NORMAL"})
		return &compacting{Store: s, every: 3}
	})
}
