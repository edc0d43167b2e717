package app

import (
	"context"
	"strconv"
	"time"

	"github.com/iotos/iotos/internal/auth"
	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/store"
)

// Browse limits checked before anything reaches an engine; drivers apply
// their own limits within these.
const (
	// MaxBrowseDepth is the most levels one browse may ask for.
	MaxBrowseDepth = 16
	// maxBrowseRoot bounds a root node ID.
	maxBrowseRoot = 4096
)

// Browse lists the address space of a device's driver (see driver.Browser)
// below root, depth levels deep (0 means 1); the reply's data is the nodes.
//
// Browsing needs write permission, like collection control: it talks to
// the field device and holds its worker while it walks the server, so a
// viewer could load a device at will; it also shows everything the device
// exposes, not only the points a viewer was given; and its purpose is to
// create points, which a viewer may not do anyway.
func (a *App) Browse(ctx context.Context, user store.User, gw, dev, root string, depth int, timeout time.Duration) (bus.Reply, error) {
	if _, err := a.store.GetDevice(ctx, gw, dev); err != nil {
		return bus.Reply{}, err
	}
	if err := auth.RequireWrite(user); err != nil {
		return bus.Reply{}, err
	}
	if depth < 0 || depth > MaxBrowseDepth {
		return bus.Reply{}, codes.New(codes.ArgError, "browse: depth %d is not within 0–%d", depth, MaxBrowseDepth)
	}
	if len(root) > maxBrowseRoot {
		return bus.Reply{}, codes.New(codes.ArgError, "browse: root is %d bytes long, at most %d", len(root), maxBrowseRoot)
	}
	if depth == 0 {
		depth = 1
	}
	started := a.now()
	ctx, cancel := context.WithTimeout(ctx, commandTimeout(timeout))
	defer cancel()
	r, err := a.command(ctx, gw, bus.KindBrowse, bus.BrowseCmd{Device: dev, Root: root, Depth: depth, TimeoutMS: remainingMS(ctx)})
	a.audit(ctx, user, "browse", gw+"."+dev, "root="+root+" depth="+strconv.Itoa(depth), replyResult(r, err), started)
	return r, err
}
