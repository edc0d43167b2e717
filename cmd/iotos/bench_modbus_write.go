package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/iotos/iotos/drivers/modbus/sim"
	"github.com/iotos/iotos/internal/app"
	"github.com/iotos/iotos/internal/store"
	mb "github.com/simonvetter/modbus"
)

// modbusAdminPassword is the bench platform's admin password; the write
// round trip logs in with it like any REST client.
const modbusAdminPassword = "bench-admin-password"

// modbusWritePoint is the point (holding register 0) of every simulated
// device that the bench writes. It is polled like its neighbours, so making
// it writable leaves the read load as it was.
const modbusWritePoint = "0001"

// modbusWrites is the write round trip of one scenario: REST PUT → platform
// → engine → driver → simulated register → reply, timed at the client.
type modbusWrites struct {
	load, idle latencies     // under the poll load; with collection paused
	loadFor    time.Duration // the window the load writes ran in
	idleFor    time.Duration
	rate       float64
	device     uint64 // writes the simulator received over the whole run
	// The command's share of each round trip (platform → engine → driver →
	// platform), as the audit log records it in whole ms, in the order of
	// the writes; nil when the log does not match the writes. The rest is
	// the platform's: HTTP, checks and the audit record itself.
	loadCmd, idleCmd latencies
}

func (w modbusWrites) count() int { return len(w.load) + len(w.idle) }

// modbusWriter makes the writes: one point per device, round robin, at a
// steady rate, one at a time. Each value is distinct (up to 30,000 writes)
// and each reply must be code 0 and carry the value written; anything else
// stops the bench.
type modbusWriter struct {
	client *http.Client
	base   string
	token  string
	points []string // full point IDs, by device
	rate   float64
	n      int   // writes made so far
	last   []int // last value written per device, 0 for none
}

func newModbusWriter(ctx context.Context, base, gw string, devices int, rate float64) (*modbusWriter, error) {
	w := &modbusWriter{
		client: &http.Client{Timeout: 30 * time.Second}, base: base, rate: rate,
		points: make([]string, devices), last: make([]int, devices),
	}
	for d := range devices {
		w.points[d] = fmt.Sprintf("%s.%08x.%s", gw, d+1, modbusWritePoint)
	}
	var login struct {
		Token string `json:"token"`
	}
	if err := w.call(ctx, "POST", "/api/v1/login", map[string]string{"username": "admin", "password": modbusAdminPassword}, &login); err != nil {
		return nil, fmt.Errorf("bench login: %w", err)
	}
	if login.Token == "" {
		return nil, errors.New("bench login: no token in the reply")
	}
	w.token = login.Token
	return w, nil
}

// run writes at the writer's rate until ctx is done and returns the round
// trips. A tick that comes while a write is still running is dropped (so a
// slow write shows as fewer writes as well as a high latency).
func (w *modbusWriter) run(ctx context.Context) (latencies, error) {
	var lat latencies
	tick := time.NewTicker(time.Duration(float64(time.Second) / w.rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return lat, nil
		case <-tick.C:
		}
		d, err := w.write(context.WithoutCancel(ctx))
		if err != nil {
			return lat, err
		}
		lat = append(lat, d)
	}
}

// write makes the next write and times it from the request to the end of
// the reply.
func (w *modbusWriter) write(ctx context.Context) (time.Duration, error) {
	dev := w.n % len(w.points)
	value := 1 + w.n%30000 // an INT point is a signed 16-bit register
	w.n++
	var got json.Number
	start := time.Now()
	err := w.call(ctx, "PUT", "/api/v1/points/"+w.points[dev]+"/value", map[string]any{"value": value}, &got)
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("write %d to %s: %w", value, w.points[dev], err)
	}
	if g, err := got.Float64(); err != nil || g != float64(value) {
		return 0, fmt.Errorf("write %d to %s: the reply carries %q", value, w.points[dev], got)
	}
	w.last[dev] = value
	return took, nil
}

// call does one REST request whose envelope must be code 0 with HTTP 200
// and decodes its data into out.
func (w *modbusWriter) call(ctx context.Context, method, path string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, w.base+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Code int             `json:"code"`
		Msg  string          `json:"msg"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(reply, &env); err != nil {
		return fmt.Errorf("HTTP %d, not an envelope: %.200s", resp.StatusCode, reply)
	}
	if resp.StatusCode != http.StatusOK || env.Code != 0 {
		return fmt.Errorf("HTTP %d code %d: %s", resp.StatusCode, env.Code, env.Msg)
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(env.Data))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("data %.200s: %v", env.Data, err)
	}
	return nil
}

// startWrites starts the writer in the background for the measured window;
// the returned function stops it and gives its round trips.
func (h *modbusHarness) startWrites(ctx context.Context, s modbusScenario, gw string) (*modbusWriter, func() (latencies, error), error) {
	w, err := newModbusWriter(ctx, h.p.URL(), gw, s.devices, s.writeRate)
	if err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	var (
		lat  latencies
		werr error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		lat, werr = w.run(wctx)
	}()
	return w, func() (latencies, error) {
		cancel()
		<-done
		return lat, werr
	}, nil
}

// idleWrites is the baseline: collection paused on every device of the same
// gateway, so the engine, platform and simulator do nothing but the writes.
// It fails when the simulator was still read during it.
func (h *modbusHarness) idleWrites(ctx context.Context, s modbusScenario, gw string, sm *sim.Sim, w *modbusWriter) (latencies, error) {
	for d := range s.devices {
		dev := fmt.Sprintf("%08x", d+1)
		r, err := h.p.App().Collect(ctx, app.System, gw, dev, app.CollectPause, 10*time.Second)
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("pause device %s: %w", dev, err)
		}
	}
	// The pause runs in the device's worker, so no poll is in flight once
	// every device has answered. The platform may still be storing what the
	// load sent, on the same SQLite the writes' audit records go to: the
	// baseline starts once that is done.
	if err := h.ingestSettled(ctx, time.Minute); err != nil {
		return nil, err
	}
	before := simTotals(sm)
	wctx, cancel := context.WithTimeout(ctx, s.idleWrites)
	defer cancel()
	lat, err := w.run(wctx)
	if err != nil {
		return lat, err
	}
	if ctx.Err() != nil {
		return lat, ctx.Err()
	}
	after := simTotals(sm)
	if reads := (after.Registers - after.Writes) - (before.Registers - before.Writes); reads != 0 {
		return lat, fmt.Errorf("the idle baseline was not idle: the simulator served %d registers besides the writes", reads)
	}
	return lat, nil
}

// commandLatencies is the latency of every write to the gateway the audit
// log holds, oldest first.
func (h *modbusHarness) commandLatencies(ctx context.Context, gw string) (latencies, error) {
	var out latencies
	q := store.AuditQuery{Object: gw + ".", Limit: 1000}
	for {
		recs, err := h.p.App().Audit(ctx, app.System, q)
		if err != nil || len(recs) == 0 {
			slices.Reverse(out)
			return out, err
		}
		for _, r := range recs {
			if r.Action == "write" {
				out = append(out, time.Duration(r.LatencyMS)*time.Millisecond)
			}
		}
		q.Before = recs[len(recs)-1].ID
	}
}

// ingestSettled waits until the platform has stored nothing new for half a
// second.
func (h *modbusHarness) ingestSettled(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last, quiet := h.p.App().IngestStats(), 0
	for quiet < 5 {
		if time.Now().After(deadline) {
			return fmt.Errorf("the platform was still storing samples %v after collection was paused", timeout)
		}
		if err := sleepOrDone(ctx, 100*time.Millisecond); err != nil {
			return err
		}
		now := h.p.App().IngestStats()
		if now == last {
			quiet++
		} else {
			last, quiet = now, 0
		}
	}
	return nil
}

// checkWritten reads register 0 of every written device straight from the
// simulator: it must hold the last value written there.
func checkWritten(sm *sim.Sim, w *modbusWriter) error {
	for d, addr := range sm.Addrs() {
		if d >= len(w.last) || w.last[d] == 0 {
			continue
		}
		c, err := mb.NewClient(&mb.ClientConfiguration{URL: "tcp://" + addr, Timeout: 5 * time.Second})
		if err != nil {
			return err
		}
		if err := c.Open(); err != nil {
			return fmt.Errorf("read back device %d: %w", d, err)
		}
		v, err := c.ReadRegister(0, mb.HOLDING_REGISTER)
		c.Close()
		if err != nil {
			return fmt.Errorf("read back device %d: %w", d, err)
		}
		if int(int16(v)) != w.last[d] {
			return fmt.Errorf("device %d holds %d in register 0 after the writes; the last write was %d", d, int16(v), w.last[d])
		}
	}
	return nil
}

func printModbusWrites(w modbusWrites) {
	rate := strconv.FormatFloat(w.rate, 'f', -1, 64)
	fmt.Printf("  writes         p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  %4d writes under the poll load (%.0f planned at %s/s; REST → driver → REST)\n",
		ms(w.load.percentile(50)), ms(w.load.percentile(99)), ms(w.load.percentile(100)), len(w.load), w.rate*w.loadFor.Seconds(), rate)
	fmt.Printf("  writes idle    p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  %4d writes with collection paused (%.0f planned over %v; baseline)\n",
		ms(w.idle.percentile(50)), ms(w.idle.percentile(99)), ms(w.idle.percentile(100)), len(w.idle), w.rate*w.idleFor.Seconds(), w.idleFor)
	if w.loadCmd != nil {
		fmt.Printf("  of which the engine command (platform → engine → driver → platform, whole ms from the audit log):\n")
		fmt.Printf("    under load   p50 %3.0f ms  p99 %3.0f ms  max %3.0f ms; idle p50 %3.0f ms  p99 %3.0f ms  max %3.0f ms\n",
			ms(w.loadCmd.percentile(50)), ms(w.loadCmd.percentile(99)), ms(w.loadCmd.percentile(100)),
			ms(w.idleCmd.percentile(50)), ms(w.idleCmd.percentile(99)), ms(w.idleCmd.percentile(100)))
	}
}

// writeVerdict adds the write round trip's target to the verdict: p99 under
// the poll load below 10 ms.
func writeVerdict(w *modbusWrites) (missed string) {
	if w == nil {
		return ""
	}
	load, idle := w.load.percentile(99), w.idle.percentile(99)
	fmt.Printf("writes: p99 %.2f ms under the poll load vs %.2f ms idle (%+.2f ms); p50 %.2f vs %.2f ms\n",
		ms(load), ms(idle), ms(load-idle), ms(w.load.percentile(50)), ms(w.idle.percentile(50)))
	if load >= 10*time.Millisecond {
		return fmt.Sprintf("write round trip p99 %.2f ms under load (want < 10 ms)", ms(load))
	}
	return ""
}

// measureWrites ends the writes under load, runs the idle baseline and
// checks the simulator: it received each write exactly once and holds the
// last value written to every device.
func (h *modbusHarness) measureWrites(ctx context.Context, s modbusScenario, gw string, sm *sim.Sim, w *modbusWriter, stop func() (latencies, error)) (*modbusWrites, error) {
	load, err := stop()
	if err != nil {
		return nil, err
	}
	if len(load) == 0 {
		return nil, fmt.Errorf("no write was made in the %v window at %v/s", s.duration, s.writeRate)
	}
	idle, err := h.idleWrites(ctx, s, gw, sm, w)
	if err != nil {
		return nil, err
	}
	if len(idle) == 0 {
		return nil, fmt.Errorf("no write was made in the %v idle baseline at %v/s", s.idleWrites, s.writeRate)
	}
	res := &modbusWrites{load: load, idle: idle, loadFor: s.duration, idleFor: s.idleWrites, rate: s.writeRate, device: simTotals(sm).Writes}
	if res.device != uint64(res.count()) {
		return nil, fmt.Errorf("the simulator received %d writes; %d were made", res.device, res.count())
	}
	if err := checkWritten(sm, w); err != nil {
		return nil, err
	}
	if cmd, err := h.commandLatencies(ctx, gw); err == nil && len(cmd) == res.count() {
		res.loadCmd, res.idleCmd = cmd[:len(load)], cmd[len(load):]
	}
	return res, nil
}
