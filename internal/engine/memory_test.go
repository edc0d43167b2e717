package engine

import (
	"testing"

	"github.com/iotos/iotos/pkg/driver"
)

// TestMemorySlots checks what the pipeline relies on: a key has one slot
// until its device is forgotten, an empty slot reads as no value, and
// forgetting a device leaves other devices (even ones whose ID it
// prefixes) alone.
func TestMemorySlots(t *testing.T) {
	var m memory
	a := m.slot("0000000a.0001")
	if _, ok := m.get("0000000a.0001"); ok {
		t.Fatal("a slot with no value stored reads as a value")
	}
	m.store(a, driver.GoodSample("0001", int64(7)))
	if again := m.slot("0000000a.0001"); again != a {
		t.Fatal("a replaced device got a new slot: its last values would be lost")
	}
	other := m.slot("0000000ab.0001")
	m.store(other, driver.GoodSample("0001", int64(8)))
	if s, ok := m.get("0000000a.0001"); !ok || s.Value != int64(7) {
		t.Fatalf("get = %+v, %v", s, ok)
	}
	m.forgetDevice("0000000a")
	if _, ok := m.get("0000000a.0001"); ok {
		t.Fatal("a forgotten device still has values")
	}
	if s, ok := m.get("0000000ab.0001"); !ok || s.Value != int64(8) {
		t.Fatalf("forgetting 0000000a dropped 0000000ab: %+v, %v", s, ok)
	}
	if fresh := m.slot("0000000a.0001"); fresh == a {
		t.Fatal("a device added again reuses the forgotten slot")
	}
}
