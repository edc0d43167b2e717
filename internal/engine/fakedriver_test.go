package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/iotos/iotos/pkg/driver"
)

// callLog records driver calls across instances of a fake driver.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (c *callLog) add(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprintf(format, args...))
}

func (c *callLog) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls...)
}

func (c *callLog) count(prefix string) int {
	n := 0
	for _, s := range c.all() {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// fakeDriver is a scriptable driver: Writer and Subscriber, no Broadcaster.
type fakeDriver struct {
	log  *callLog
	read func(ctx context.Context, points []driver.Point) ([]driver.Sample, error)
	host driver.Host
}

var (
	_ driver.Writer     = (*fakeDriver)(nil)
	_ driver.Subscriber = (*fakeDriver)(nil)
)

func (f *fakeDriver) Init(h driver.Host, dev driver.Device) error {
	f.log.add("init")
	f.host = h
	return nil
}

func (f *fakeDriver) Read(ctx context.Context, points []driver.Point) ([]driver.Sample, error) {
	ids := make([]string, len(points))
	for i, p := range points {
		ids[i] = p.ID
	}
	f.log.add("read %s", strings.Join(ids, ","))
	if f.read != nil {
		return f.read(ctx, points)
	}
	out := make([]driver.Sample, len(points))
	for i, p := range points {
		out[i] = driver.GoodSample(p.ID, int64(1))
	}
	return out, nil
}

func (f *fakeDriver) Write(ctx context.Context, p driver.Point, v any) (driver.Result, error) {
	f.log.add("write %s=%v", p.ID, v)
	return driver.Result{Code: 1042, Msg: "driver says hi", Data: map[string]any{"wrote": v}}, nil
}

func (f *fakeDriver) Subscribed(ctx context.Context, point string, s driver.Sample) {
	f.log.add("sub %s=%v", point, s.Value)
}

func (f *fakeDriver) Close() error {
	f.log.add("close")
	return nil
}

// factory makes fake drivers sharing one log and read script.
func fakeFactory(log *callLog, read func(context.Context, []driver.Point) ([]driver.Sample, error)) driver.Factory {
	return func() driver.Driver { return &fakeDriver{log: log, read: read} }
}
