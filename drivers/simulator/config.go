package simulator

import (
	"encoding/json"

	"github.com/iotos/iotos/pkg/driver"
)

// Change modes of a simulated point.
const (
	Ascending  = "ascending"
	Descending = "descending"
	Random     = "random"
	Constant   = "constant"
)

// DeviceConfig is the simulator's device configuration (config.param).
type DeviceConfig struct {
	// Seed is the default seed of every point's random generator; points
	// without a seed of their own derive theirs from it and their ID, so a
	// device replays the same values on every start.
	Seed int64 `json:"seed"`
	// Latency delays every read and write, to imitate a slow device.
	Latency driver.Duration `json:"latency"`
}

// PointConfig is a simulated point's configuration (config.param).
type PointConfig struct {
	Change string            `json:"change"`
	Min    *float64          `json:"min"`
	Max    *float64          `json:"max"`
	Step   *float64          `json:"step"`
	Values []json.RawMessage `json:"values"`
	Seed   *int64            `json:"seed"`
	Value  json.RawMessage   `json:"value"`
}

// spec is the simulator's config schema, registered with the driver.
var spec = driver.Spec{
	Description: "Simulated device: every point produces values by a rule, writable points keep what is written.",
	Device: []driver.Field{
		{Name: "seed", Type: driver.FieldInt, Default: 0, Description: "Default seed of the points' random generators."},
		{Name: "latency", Type: driver.FieldDuration, Default: "0s", Description: "Delay added to every read and write."},
	},
	Point: []driver.Field{
		{Name: "change", Type: driver.FieldEnum, Enum: []string{Ascending, Descending, Random, Constant},
			Default: Ascending, Description: "How the value changes on every read; writable points default to constant."},
		{Name: "min", Type: driver.FieldFloat, Default: 0.0, Description: "Lowest value (INT, FLOAT)."},
		{Name: "max", Type: driver.FieldFloat, Default: 100.0, Description: "Highest value (INT, FLOAT); ascending wraps from max to min."},
		{Name: "step", Type: driver.FieldFloat, Default: 1.0, Description: "Change per read for ascending and descending."},
		{Name: "values", Type: driver.FieldList, Description: "Values to step through or pick from (any type; STRING points default to s0, s1, …)."},
		{Name: "seed", Type: driver.FieldInt, Description: "Seed of this point's random generator."},
		{Name: "value", Type: driver.FieldString, Description: "Start value of a constant point (else the point's default)."},
	},
}
