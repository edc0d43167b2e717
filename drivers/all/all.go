// Package all compiles the built-in drivers in: importing it registers them.
package all

import (
	// Built-in drivers register themselves in init().
	_ "github.com/iotos/iotos/drivers/http"
	_ "github.com/iotos/iotos/drivers/modbus"
	_ "github.com/iotos/iotos/drivers/mqtt"
	_ "github.com/iotos/iotos/drivers/opcua"
	_ "github.com/iotos/iotos/drivers/simulator"
)
