package engine

import (
	"context"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// Interface guard.
var _ bus.EngineBrowser = (*Engine)(nil)

// Browse lists a device's address space through its driver, on the
// device's worker like a write: never concurrently with a poll. A driver
// that cannot browse answers 515, as one that cannot write does.
func (e *Engine) Browse(ctx context.Context, cmd bus.BrowseCmd) bus.Reply {
	d := e.device(cmd.Device)
	if d == nil {
		return bus.ReplyOf(nil, codes.New(codes.DeviceNotExist, "device %q does not exist", cmd.Device))
	}
	v, err := d.call(ctx, true, func(ctx context.Context, w *worker) (any, error) {
		return w.browse(ctx, driver.BrowseRequest{Root: cmd.Root, Depth: cmd.Depth})
	})
	if err != nil {
		return bus.ReplyOf(nil, err)
	}
	return bus.ReplyOf(v, nil)
}

// browse runs in the worker.
func (w *worker) browse(ctx context.Context, req driver.BrowseRequest) ([]driver.BrowseNode, error) {
	b, ok := w.drv.(driver.Browser)
	if !ok {
		return nil, codes.New(codes.PropertyNotValid, "driver %s cannot browse", w.d.table.Device.Driver)
	}
	var nodes []driver.BrowseNode
	err := w.guard("Browse", func() (err error) {
		nodes, err = b.Browse(ctx, req)
		return err
	})
	if err != nil {
		w.checkLink(err)
		return nil, err
	}
	if nodes == nil {
		nodes = []driver.BrowseNode{} // an empty list, never null
	}
	return nodes, nil
}
