package app

import (
	"bytes"
	"encoding/json"

	"github.com/iotos/iotos/pkg/driver"
)

// Redacted stands in for a secret config value in replies and exports. An
// update or import that sends it back keeps the stored secret, so a form
// round trip never wipes a password it could not show.
const Redacted = "******"

var redactedJSON = json.RawMessage(`"` + Redacted + `"`)

// secretFields returns the device config fields the driver marks secret.
func secretFields(driverName string) []string {
	reg, ok := driver.Lookup(driverName)
	if !ok {
		return nil
	}
	return reg.Spec.SecretFields()
}

// redactConfig replaces the secret fields of a device config. A config that
// is not a JSON object is returned unchanged: it holds no named fields.
func redactConfig(driverName string, cfg json.RawMessage) json.RawMessage {
	fields := secretFields(driverName)
	if len(fields) == 0 {
		return cfg
	}
	m, ok := configObject(cfg)
	if !ok {
		return cfg
	}
	changed := false
	for _, f := range fields {
		if v, has := m[f]; has && !isEmptyJSON(v) {
			m[f] = redactedJSON
			changed = true
		}
	}
	if !changed {
		return cfg
	}
	out, err := json.Marshal(m)
	if err != nil {
		return cfg
	}
	return out
}

// keepSecrets puts the stored value back into every secret field of next
// that still holds the redaction marker.
func keepSecrets(driverName string, next, stored json.RawMessage) json.RawMessage {
	fields := secretFields(driverName)
	if len(fields) == 0 {
		return next
	}
	m, ok := configObject(next)
	if !ok {
		return next
	}
	old, _ := configObject(stored)
	changed := false
	for _, f := range fields {
		if v, has := m[f]; has && bytes.Equal(bytes.TrimSpace(v), redactedJSON) {
			if ov, had := old[f]; had {
				m[f] = ov
			} else {
				delete(m, f)
			}
			changed = true
		}
	}
	if !changed {
		return next
	}
	out, err := json.Marshal(m)
	if err != nil {
		return next
	}
	return out
}

func configObject(cfg json.RawMessage) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(cfg)) == 0 || json.Unmarshal(cfg, &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

func isEmptyJSON(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) == 0 || bytes.Equal(v, []byte("null")) || bytes.Equal(v, []byte(`""`))
}
