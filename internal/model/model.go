// Package model holds the IOTOS model — gateways, devices, points — with its
// validation, ID rules and the point-table codecs (.tb).
package model

import (
	"encoding/json"
	"time"

	"github.com/iotos/iotos/pkg/driver"
)

// Gateway is one site's engine and everything under it (the original IONode).
type Gateway struct {
	ID          string    `json:"id"` // 32 lowercase hex
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Location    string    `json:"location,omitempty"` // free text or "lat,lon"
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Raw is the gateway object of an imported .tb table, without its
	// "properties", kept so an export gives back every key it had.
	Raw json.RawMessage `json:"-"`
}

// Device is one device under a gateway.
type Device struct {
	ID          string `json:"id"` // 8 lowercase hex, unique in its gateway
	Gateway     string `json:"gateway"`
	Name        string `json:"name"` // unique in its gateway
	Description string `json:"description"`
	// Driver is a registered driver name ("simulator", "modbus") or an
	// external reference ("python/dr_x.XDriver", "exec/name"), which only
	// engines resolve.
	Driver string `json:"driver"`
	// Config is the driver's device configuration (the .tb config.param),
	// without the parent's contribution.
	Config    json.RawMessage `json:"config"`
	Enabled   bool            `json:"enabled"`
	Parent    string          `json:"parent,omitempty"`    // device ID whose config is inherited
	Subscribe []string        `json:"subscribe,omitempty"` // "dev.*" / "dev.pt"
	Template  string          `json:"template,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// Raw is the device object of an imported .tb table, without "data".
	Raw json.RawMessage `json:"-"`
}

// Point is one data point of a device.
type Point struct {
	ID          string          `json:"id"` // 4 lowercase hex, unique in its device
	Gateway     string          `json:"gateway"`
	Device      string          `json:"device"`
	Name        string          `json:"name"` // unique in its device
	Description string          `json:"description"`
	Type        driver.Type     `json:"type"`
	Access      driver.Access   `json:"access"`
	Unit        string          `json:"unit"`
	Min         *float64        `json:"min,omitempty"`
	Max         *float64        `json:"max,omitempty"`
	Default     any             `json:"default,omitempty"` // typed by Type
	Pattern     string          `json:"pattern,omitempty"` // regexp for STRING
	Deadband    float64         `json:"deadband"`          // report when |Δ| > deadband; 0 = on any change
	IntervalMS  int64           `json:"interval_ms"`       // poll period; 0 = not polled
	Expr        string          `json:"expr,omitempty"`    // transform of raw value x
	Config      json.RawMessage `json:"config"`            // the driver's point configuration (.tb config.param)
	Proxy       *driver.Proxy   `json:"proxy,omitempty"`
	Parent      string          `json:"parent,omitempty"` // point ID whose config.param is inherited (legacy point-level parentId)
	Disabled    bool            `json:"disabled"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	// Raw is the point object of an imported .tb table.
	Raw json.RawMessage `json:"-"`
}

// FullID is "gw.dev.pt".
func (p Point) FullID() string { return p.Gateway + "." + p.Device + "." + p.ID }

// Table is a gateway with all of its devices and points: what .tb files hold
// and what PUT /table replaces atomically.
type Table struct {
	Gateway Gateway
	Devices []DeviceTable // in table order
}

// DeviceTable is one device and its points, in table order.
type DeviceTable struct {
	Device Device
	Points []Point
}

// Sample is one value of one point as the platform keeps it.
type Sample struct {
	ID      string         `json:"id"`    // full ID gw.dev.pt
	Value   any            `json:"value"` // bool, int64, float64 or string (nil when bad)
	TS      int64          `json:"ts"`    // Unix ms, source time
	Quality driver.Quality `json:"quality"`
	Code    int            `json:"code,omitempty"` // error code of a bad sample
	Seq     uint64         `json:"-"`              // order among equal ts (history)
}

// AssembleTable hangs points, sorted by their device's order, under the
// devices (in table order): how a store turns its rows into a Table.
func AssembleTable(g Gateway, devices []Device, points []Point) Table {
	t := Table{Gateway: g, Devices: make([]DeviceTable, len(devices))}
	i := 0
	for k, d := range devices {
		t.Devices[k].Device = d
		t.Devices[k].Points = []Point{}
		for i < len(points) && points[i].Device == d.ID {
			t.Devices[k].Points = append(t.Devices[k].Points, points[i])
			i++
		}
	}
	return t
}
