package opcua

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
	"github.com/iotos/iotos/pkg/driver/drivertest"
)

func TestConformance(t *testing.T) {
	srv := sharedServer(t)
	dev := deviceFor(map[string]any{"endpoint": srv.endpoint()},
		point("0001", driver.Float, driver.Read, "ns=2;s=Temperature", "", 0),
		point("0002", driver.Float, driver.ReadWrite, "ns=2;s=Setpoint", "", 0),
		point("0003", driver.Int, driver.ReadWrite, "ns=2;s=Count", "", 0),
		point("0004", driver.Bool, driver.ReadWrite, "ns=2;s=Running", "", 0),
		point("0005", driver.String, driver.ReadWrite, "ns=2;s=Label", "", 0),
	)
	drivertest.RunConformance(t, New, dev)
}
