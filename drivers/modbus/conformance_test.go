package modbus

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

func TestConformance(t *testing.T) {
	srv := startServer(t, newDevice())
	dev := deviceFor(srv.url(), map[string]any{"timeout": "5s"},
		point("0001", driver.Int, map[string]any{"area": "holding", "address": 0, "type": "int32", "order": "CDAB"}),
		point("0002", driver.Float, map[string]any{"area": "input", "address": 3, "type": "float32"}),
		point("0003", driver.Bool, map[string]any{"area": "coil", "address": 1}),
		point("0004", driver.String, map[string]any{"area": "holding", "address": 10, "type": "string", "length": 6}),
		point("0005", driver.Bool, map[string]any{"area": "discrete", "address": 2}),
	)
	drivertest.RunConformance(t, New, dev)
}
