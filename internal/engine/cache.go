package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/iotos/iotos/internal/bus"
	"github.com/iotos/iotos/internal/model"
)

func tablesDir(dir string) string { return filepath.Join(dir, "tables") }

// tableCache keeps one JSON file per device table, so the engine can start
// its devices while the platform is unreachable.
type tableCache struct{ dir string }

// load reads every cached table; a damaged file is skipped with a warning
// in the returned errors rather than stopping the other devices.
func (c tableCache) load() ([]bus.DeviceTable, []error) {
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{fmt.Errorf("table cache %s: %w", c.dir, err)}
	}
	var out []bus.DeviceTable
	var errs []error
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		dt, err := c.read(filepath.Join(c.dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, dt)
	}
	return out, errs
}

func (c tableCache) read(path string) (bus.DeviceTable, error) {
	var dt bus.DeviceTable
	raw, err := os.ReadFile(path)
	if err != nil {
		return dt, fmt.Errorf("table cache %s: %w", path, err)
	}
	if err := json.Unmarshal(raw, &dt); err != nil {
		return dt, fmt.Errorf("table cache %s: %w", path, err)
	}
	if !model.IsHexID(dt.Device.ID, model.DeviceIDLen) || filepath.Base(path) != dt.Device.ID+".json" {
		return dt, fmt.Errorf("table cache %s: holds device %q", path, dt.Device.ID)
	}
	return dt, nil
}

// save writes a device's table atomically (temp file, fsync, rename), so a
// crash leaves either the old or the new table, never half of one.
func (c tableCache) save(dt bus.DeviceTable) error {
	id := dt.Device.ID
	if !model.IsHexID(id, model.DeviceIDLen) {
		return fmt.Errorf("table cache: device ID %q", id)
	}
	raw, err := json.Marshal(dt)
	if err != nil {
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	tmp, err := os.CreateTemp(c.dir, id+".*.tmp")
	if err != nil {
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(c.dir, id+".json")); err != nil {
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	return nil
}

// remove deletes a device's cached table.
func (c tableCache) remove(id string) error {
	err := os.Remove(filepath.Join(c.dir, id+".json"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("table cache device %s: %w", id, err)
	}
	return nil
}
