// livestats.js: what the live view costs in the browser — how long a sample
// takes from its source timestamp to the screen, and how long frames take
// while values stream in. Kept as raw observations (bounded) so a test or an
// operator can read percentiles from window.iotosLive.summary().
const CAP = 200000;

export class LiveStats {
  constructor() {
    this.lags = [];
    this.arrivals = [];
    this.frames = [];
    this.renders = [];
    this.samples = 0;
    this.dropped = 0;
    this.running = false;
  }

  // arrived records how old samples are when their frame reaches the page:
  // the platform and network share of the lag, before the console's own.
  arrived(samples, now) {
    for (const s of samples) {
      if (this.arrivals.length < CAP) this.arrivals.push(now - s.ts);
    }
  }

  // rendered records the lag of every sample drawn in this frame batch.
  rendered(ids, values, now, renderMs) {
    for (const id of ids) {
      const s = values.get(id);
      if (s && this.lags.length < CAP) this.lags.push(now - s.ts);
    }
    this.samples += ids.size;
    if (this.renders.length < CAP) this.renders.push(renderMs);
  }

  start() {
    this.running = true;
    let last = performance.now();
    const tick = (t) => {
      if (!this.running) return;
      if (this.frames.length < CAP) this.frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  stop() { this.running = false; }

  reset() {
    this.lags = [];
    this.arrivals = [];
    this.frames = [];
    this.renders = [];
    this.samples = 0;
  }

  summary() {
    return {
      samples: this.samples, dropped: this.dropped, frames: this.frames.length,
      arrival_p50_ms: pct(this.arrivals, 0.5), arrival_p99_ms: pct(this.arrivals, 0.99),
      lag_p50_ms: pct(this.lags, 0.5), lag_p99_ms: pct(this.lags, 0.99), lag_max_ms: pct(this.lags, 1),
      frame_p50_ms: pct(this.frames, 0.5), frame_p99_ms: pct(this.frames, 0.99), frame_max_ms: pct(this.frames, 1),
      render_p50_ms: pct(this.renders, 0.5), render_p99_ms: pct(this.renders, 0.99),
    };
  }
}

function pct(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
}
