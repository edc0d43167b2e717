package model

import (
	"encoding/json"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// ToDriverPoint is the point as a driver sees it: the poll period as a
// duration and the default converted to the point's type (nil when it does
// not convert, which validation has already reported).
func ToDriverPoint(p Point) driver.Point {
	var def any
	if p.Default != nil {
		if v, err := driver.Convert(p.Type, p.Default); err == nil {
			def = v
		}
	}
	return driver.Point{
		ID:       p.ID,
		Name:     p.Name,
		Type:     p.Type,
		Access:   p.Access,
		Unit:     p.Unit,
		Interval: time.Duration(p.IntervalMS) * time.Millisecond,
		Min:      p.Min,
		Max:      p.Max,
		Pattern:  p.Pattern,
		Default:  def,
		Config:   p.Config,
		Proxy:    p.Proxy,
	}
}

// ToDriverDevice is what a driver gets at Init: the device with its effective
// (parent-merged) config and its non-disabled points in table order, each
// point's config merged over its legacy point-level parent's.
func ToDriverDevice(dt DeviceTable, effectiveConfig json.RawMessage) driver.Device {
	d := dt.Device
	out := driver.Device{
		Gateway:   d.Gateway,
		ID:        d.ID,
		Name:      d.Name,
		Driver:    d.Driver,
		Config:    effectiveConfig,
		Subscribe: d.Subscribe,
	}
	byID := make(map[string]Point, len(dt.Points))
	for _, p := range dt.Points {
		byID[p.ID] = p
	}
	for _, p := range dt.Points {
		if p.Disabled {
			continue
		}
		dp := ToDriverPoint(p)
		dp.Config = effectivePointConfig(byID, p)
		out.Points = append(out.Points, dp)
	}
	return out
}

// effectivePointConfig merges a point's config over its parent chain's, the
// point winning. A broken or cyclic chain (rejected by validation) stops
// where it breaks rather than failing the whole device.
func effectivePointConfig(byID map[string]Point, p Point) json.RawMessage {
	chain := []json.RawMessage{p.Config}
	seen := map[string]bool{p.ID: true}
	for cur := p.Parent; cur != "" && !seen[cur]; {
		parent, ok := byID[cur]
		if !ok {
			break
		}
		seen[cur] = true
		chain = append(chain, parent.Config)
		cur = parent.Parent
	}
	if len(chain) == 1 {
		return p.Config
	}
	merged, err := mergeChain(chain)
	if err != nil {
		return p.Config
	}
	return merged
}
