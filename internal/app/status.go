package app

import (
	"sync"
	"time"

	"github.com/iotos/iotos/internal/bus"
)

// statusBoard keeps each gateway's last engine Status in memory: it is
// refreshed every few seconds by engines, so persisting it buys nothing.
type statusBoard struct {
	mu sync.RWMutex
	gw map[string]gatewayStatus
}

type gatewayStatus struct {
	st      bus.Status
	seen    time.Time
	devices map[string]bus.DeviceStatus
}

func newStatusBoard() *statusBoard { return &statusBoard{gw: map[string]gatewayStatus{}} }

func (b *statusBoard) put(gw string, st bus.Status, now time.Time) {
	devs := make(map[string]bus.DeviceStatus, len(st.Devices))
	for _, d := range st.Devices {
		devs[d.ID] = d
	}
	b.mu.Lock()
	b.gw[gw] = gatewayStatus{st: st, seen: now, devices: devs}
	b.mu.Unlock()
}

func (b *statusBoard) get(gw string) (gatewayStatus, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, ok := b.gw[gw]
	return s, ok
}

func (b *statusBoard) forget(gw string) {
	b.mu.Lock()
	delete(b.gw, gw)
	b.mu.Unlock()
}

// staleAfter is how long a status report counts as "online" when no live
// connection check is available.
const staleAfter = 30 * time.Second

// EngineStatus is what a gateway reply says about its engine.
type EngineStatus struct {
	Online        bool       `json:"online"`
	LastSeen      *time.Time `json:"last_seen"`
	Version       string     `json:"version,omitempty"`
	OutboxBatches int64      `json:"outbox_batches"`
	OutboxBytes   int64      `json:"outbox_bytes"`
	OutboxDropped int64      `json:"outbox_dropped"`
}

// DeviceState is what a device reply says about its worker.
type DeviceState struct {
	Online    bool   `json:"online"`
	Paused    bool   `json:"paused,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

func (a *App) gatewayOnline(gw string) bool {
	if a.online != nil {
		return a.online(gw)
	}
	s, ok := a.status.get(gw)
	return ok && a.now().Sub(s.seen) < staleAfter
}

func (a *App) engineStatus(gw string) EngineStatus {
	es := EngineStatus{Online: a.gatewayOnline(gw)}
	if s, ok := a.status.get(gw); ok {
		seen := s.seen.UTC()
		es.LastSeen = &seen
		es.Version = s.st.Version
		es.OutboxBatches, es.OutboxBytes, es.OutboxDropped = s.st.OutboxBatches, s.st.OutboxBytes, s.st.OutboxDropped
	}
	return es
}

func (a *App) deviceState(gw, dev string) DeviceState {
	if !a.gatewayOnline(gw) {
		return DeviceState{LastError: a.lastDeviceError(gw, dev)}
	}
	s, ok := a.status.get(gw)
	if !ok {
		return DeviceState{}
	}
	d := s.devices[dev]
	return DeviceState{Online: d.Online, Paused: d.Paused, LastError: d.LastError}
}

func (a *App) lastDeviceError(gw, dev string) string {
	if s, ok := a.status.get(gw); ok {
		return s.devices[dev].LastError
	}
	return ""
}
