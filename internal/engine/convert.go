package engine

import (
	"encoding/json"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
)

// effectiveConfig is the device's config deep-merged over its inherited
// ParentConfig, the device winning, by the model's merge rules.
func effectiveConfig(dt bus.DeviceTable) (json.RawMessage, error) {
	dev := dt.Device
	if len(dt.ParentConfig) == 0 {
		return dev.Config, nil
	}
	const parentKey = "parent"
	dev.Parent = parentKey
	devices := map[string]model.Device{
		dev.ID:    dev,
		parentKey: {ID: parentKey, Config: dt.ParentConfig},
	}
	return model.EffectiveDeviceConfig(devices, dev.ID)
}
