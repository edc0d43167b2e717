package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/pkg/driver"
)

// EffectiveDeviceConfig is the config a device's driver gets: the configs of
// its parent chain deep-merged, the child winning. A parent that does not
// exist or a cycle is code 514; an unknown id is 109.
func EffectiveDeviceConfig(devices map[string]Device, id string) (json.RawMessage, error) {
	d, ok := devices[id]
	if !ok {
		return nil, codes.New(codes.DeviceNotExist, "device %s does not exist", id)
	}
	if d.Parent == "" {
		return d.Config, nil
	}
	chain := []json.RawMessage{d.Config}
	seen := map[string]bool{id: true}
	for cur := d.Parent; cur != ""; cur = devices[cur].Parent {
		if seen[cur] {
			return nil, codes.New(codes.TableNotValid, "device %s: parent chain has a cycle at %s", id, cur)
		}
		parent, ok := devices[cur]
		if !ok {
			return nil, codes.New(codes.TableNotValid, "device %s: parent %s does not exist", id, cur)
		}
		seen[cur] = true
		chain = append(chain, parent.Config)
	}
	merged, err := mergeChain(chain)
	if err != nil {
		return nil, codes.New(codes.TableNotValid, "device %s: config: %v", id, err)
	}
	return merged, nil
}

// versionDoc is what an engine acts on for one device. Timestamps,
// descriptions and the imported Raw JSON are left out, so editing a
// description or re-importing the same table does not restart a device.
type versionDoc struct {
	ID        string         `json:"id"`
	Gateway   string         `json:"gateway"`
	Name      string         `json:"name"`
	Driver    string         `json:"driver"`
	Config    any            `json:"config"`
	Enabled   bool           `json:"enabled"`
	Subscribe []string       `json:"subscribe"`
	Points    []versionPoint `json:"points"`
}

type versionPoint struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Type       driver.Type   `json:"type"`
	Access     driver.Access `json:"access"`
	Unit       string        `json:"unit"`
	Min        *float64      `json:"min"`
	Max        *float64      `json:"max"`
	Default    any           `json:"default"`
	Pattern    string        `json:"pattern"`
	Deadband   float64       `json:"deadband"`
	IntervalMS int64         `json:"interval_ms"`
	Expr       string        `json:"expr"`
	Config     any           `json:"config"`
	Proxy      *driver.Proxy `json:"proxy"`
	Parent     string        `json:"parent"`
	Disabled   bool          `json:"disabled"`
}

// DeviceVersion is a sha256 (hex) over everything an engine acts on for one
// device, given its effective config. It is stable across encodes: configs
// are canonicalised (key order, spacing) and defaults typed, so the same
// content stored, exported and imported again keeps its version.
func DeviceVersion(dt DeviceTable, effectiveConfig json.RawMessage) string {
	d := dt.Device
	doc := versionDoc{
		ID: d.ID, Gateway: d.Gateway, Name: d.Name, Driver: d.Driver,
		Config: canonicalJSON(effectiveConfig), Enabled: d.Enabled, Subscribe: nilIfEmpty(d.Subscribe),
		Points: make([]versionPoint, 0, len(dt.Points)),
	}
	for _, p := range dt.Points {
		doc.Points = append(doc.Points, versionPoint{
			ID: p.ID, Name: p.Name, Type: p.Type, Access: p.Access, Unit: p.Unit,
			Min: p.Min, Max: p.Max, Default: ToDriverPoint(p).Default, Pattern: p.Pattern,
			Deadband: p.Deadband, IntervalMS: p.IntervalMS, Expr: p.Expr,
			Config: canonicalJSON(p.Config), Proxy: p.Proxy, Parent: p.Parent, Disabled: p.Disabled,
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Only unmarshalable values (NaN limits, rejected by validation) get
		// here; hash their text so the version still changes with them.
		b = []byte(err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// canonicalJSON decodes raw so that marshaling it again sorts keys and drops
// spacing; an empty raw is null and invalid JSON is kept as its text.
func canonicalJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	v, err := decodeAny(raw)
	if err != nil {
		return string(raw)
	}
	return v
}

// nilIfEmpty makes an empty list and no list hash the same.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
