// Command goext is a minimal external driver written in Go: a counter
// device served over stdio with pkg/wire/shim. Build it into the engine's
// drivers dir and configure a device with driver "exec/goext".
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/wire/shim"
)

// counter reports an increasing number for every point it reads and keeps
// the last value written to each point.
type counter struct {
	host    driver.Host
	step    int64
	n       int64
	written map[string]any
}

var (
	_ driver.Driver = (*counter)(nil)
	_ driver.Writer = (*counter)(nil)
)

type config struct {
	Step int64 `json:"step"`
}

func (c *counter) Init(host driver.Host, dev driver.Device) error {
	cfg := config{Step: 1}
	if err := driver.DecodeConfig(dev.Config, &cfg); err != nil {
		return err
	}
	c.host, c.step, c.written = host, cfg.Step, map[string]any{}
	return nil
}

func (c *counter) Read(_ context.Context, points []driver.Point) ([]driver.Sample, error) {
	out := make([]driver.Sample, 0, len(points))
	for _, p := range points {
		if v, ok := c.written[p.ID]; ok {
			out = append(out, driver.GoodSample(p.ID, v))
			continue
		}
		c.n += c.step
		v, err := driver.Convert(p.Type, c.n)
		if err != nil {
			out = append(out, driver.BadSample(p.ID, driver.CodeTypeNotValid))
			continue
		}
		out = append(out, driver.GoodSample(p.ID, v))
	}
	return out, nil
}

func (c *counter) Write(_ context.Context, p driver.Point, v any) (driver.Result, error) {
	c.written[p.ID] = v
	c.host.Logger().Info("written", "point", p.ID, "value", v)
	return driver.OK(map[string]any{"point": p.ID, "value": v}), nil
}

func (c *counter) Close() error { return nil }

func main() {
	// Only the protocol may use stdout; diagnostics go to stderr.
	if err := shim.Serve(context.Background(), "goext", &counter{}); err != nil {
		fmt.Fprintln(os.Stderr, "ERROR", err)
		os.Exit(1)
	}
}
