package model

import "strings"

// ValidateTable checks a whole table: every object as the Validate functions
// do, plus what needs the whole table — duplicate IDs and names in one
// parent, parents that do not exist or form a cycle, proxy pointers that do
// not exist. It returns every problem, in table order.
func ValidateTable(t Table) []Problem {
	var ps problems
	checkGateway(&ps, "", t.Gateway)
	devices := checkDevices(&ps, t)
	checkDeviceParents(&ps, t, devices)
	for _, dt := range t.Devices {
		checkPoints(&ps, dt, devices)
	}
	return ps.list
}

// DevicePath and PointPath are where a device and a point live in a .tb
// table, used as Problem paths.
func DevicePath(dev string) string    { return "properties." + dev }
func PointPath(dev, pt string) string { return DevicePath(dev) + ".data." + pt }

// checkDevices checks each device and the uniqueness of IDs and names, and
// returns the devices by ID (the first of duplicates).
func checkDevices(ps *problems, t Table) map[string]*DeviceTable {
	byID := make(map[string]*DeviceTable, len(t.Devices))
	names := make(map[string]string, len(t.Devices))
	for i := range t.Devices {
		d := t.Devices[i].Device
		path := DevicePath(d.ID)
		checkDevice(ps, path, d)
		if d.Gateway != "" && d.Gateway != t.Gateway.ID {
			ps.add(path, "gateway", "belongs to gateway %q, not %q", d.Gateway, t.Gateway.ID)
		}
		if _, dup := byID[d.ID]; dup {
			ps.add(path, "id", "duplicate device ID %s", d.ID)
		} else {
			byID[d.ID] = &t.Devices[i]
		}
		if other, dup := names[d.Name]; dup && d.Name != "" {
			ps.add(path, "name", "duplicate device name %q (also device %s)", d.Name, other)
		} else {
			names[d.Name] = d.ID
		}
	}
	return byID
}

func checkDeviceParents(ps *problems, t Table, byID map[string]*DeviceTable) {
	parentOf := func(id string) string {
		if dt, ok := byID[id]; ok {
			return dt.Device.Parent
		}
		return ""
	}
	for _, dt := range t.Devices {
		d := dt.Device
		if d.Parent == "" || !IsHexID(d.Parent, DeviceIDLen) || d.Parent == d.ID {
			continue // missing, or already reported by checkDevice
		}
		path := DevicePath(d.ID)
		if _, ok := byID[d.Parent]; !ok {
			ps.add(path, "parent", "device %s does not exist", d.Parent)
		} else if inCycle(d.ID, parentOf) {
			ps.add(path, "parent", "device %s is part of a parent cycle", d.ID)
		}
	}
}

// inCycle reports whether following parents from id comes back to id.
func inCycle(id string, parentOf func(string) string) bool {
	seen := map[string]bool{}
	for cur := parentOf(id); cur != ""; cur = parentOf(cur) {
		if cur == id {
			return true
		}
		if seen[cur] {
			return false // a cycle further up, reported at its members
		}
		seen[cur] = true
	}
	return false
}

func checkPoints(ps *problems, dt DeviceTable, devices map[string]*DeviceTable) {
	dev := dt.Device.ID
	byID := make(map[string]*Point, len(dt.Points))
	names := make(map[string]string, len(dt.Points))
	for i := range dt.Points {
		p := dt.Points[i]
		path := PointPath(dev, p.ID)
		checkPoint(ps, path, p)
		if p.Device != "" && p.Device != dev {
			ps.add(path, "device", "belongs to device %q, not %q", p.Device, dev)
		}
		if _, dup := byID[p.ID]; dup {
			ps.add(path, "id", "duplicate point ID %s", p.ID)
		} else {
			byID[p.ID] = &dt.Points[i]
		}
		if other, dup := names[p.Name]; dup && p.Name != "" {
			ps.add(path, "name", "duplicate point name %q (also point %s)", p.Name, other)
		} else {
			names[p.Name] = p.ID
		}
	}
	parentOf := func(id string) string {
		if p, ok := byID[id]; ok {
			return p.Parent
		}
		return ""
	}
	for _, p := range dt.Points {
		checkPointLinks(ps, dev, p, byID, devices, parentOf)
	}
}

func checkPointLinks(ps *problems, dev string, p Point, byID map[string]*Point, devices map[string]*DeviceTable, parentOf func(string) string) {
	path := PointPath(dev, p.ID)
	if p.Parent != "" && IsHexID(p.Parent, PointIDLen) {
		if _, ok := byID[p.Parent]; !ok {
			ps.add(path, "parent", "point %s does not exist in device %s", p.Parent, dev)
		} else if p.Parent == p.ID || inCycle(p.ID, parentOf) {
			ps.add(path, "parent", "point %s is part of a parent cycle", p.ID)
		}
	}
	if p.Proxy != nil && !proxyExists(dev, p.Proxy.Pointer, byID, devices) {
		ps.add(path, "proxy", "pointer %q does not exist", p.Proxy.Pointer)
	}
	if p.Proxy != nil && p.Proxy.Index < 0 {
		ps.add(path, "proxy", "index %d is negative", p.Proxy.Index)
	}
}

// proxyExists resolves a proxy pointer: a point of the same device ("pt"),
// or "dev.pt" in the gateway.
func proxyExists(dev, pointer string, byID map[string]*Point, devices map[string]*DeviceTable) bool {
	d, pt, qualified := splitRelative(pointer)
	if !qualified || d == dev {
		_, ok := byID[pt]
		return ok
	}
	dt, ok := devices[d]
	if !ok {
		return false
	}
	for _, p := range dt.Points {
		if p.ID == pt {
			return true
		}
	}
	return false
}

// splitRelative splits "dev.pt" (qualified) or "pt".
func splitRelative(ref string) (dev, pt string, qualified bool) {
	dev, pt, qualified = strings.Cut(ref, ".")
	if !qualified {
		return "", ref, false
	}
	return dev, pt, true
}
