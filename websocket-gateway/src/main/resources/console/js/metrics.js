import { api } from "./api.js";

// Parses Prometheus text into [{name, labels, value}] (only the sample lines; # lines are skipped).
export function parse(text) {
  const out = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const l of text.split("\n")) {
    const m = line.exec(l);
    if (!m) continue;
    const labels = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(label)) labels[k] = v.replace(/\\(.)/g, "$1");
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * Polls /metrics and turns counters into per-second rates from the deltas between two scrapes.
 * `keyOf(sample)` picks and groups the series (return undefined to skip one); a sample's rate is the sum
 * over its group. A counter that went down (a node restart) counts from zero.
 */
export class RatePoller {
  constructor(keyOf, onRates, periodMs = 2000) {
    this.keyOf = keyOf;
    this.onRates = onRates;
    this.periodMs = periodMs;
    this.prev = null;
  }

  start() {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.periodMs);
    return this;
  }

  stop() {
    clearInterval(this.timer);
  }

  async tick() {
    let samples;
    try {
      samples = parse(await api.metrics());
    } catch {
      return;
    }
    const now = performance.now();
    const totals = new Map();
    for (const s of samples) {
      const key = this.keyOf(s);
      if (key !== undefined) totals.set(key, (totals.get(key) ?? 0) + s.value);
    }
    const rates = new Map();
    if (this.prev) {
      const seconds = (now - this.prev.at) / 1000;
      for (const [key, total] of totals) {
        const before = this.prev.totals.get(key) ?? 0;
        rates.set(key, (total >= before ? total - before : total) / seconds);
      }
    }
    this.prev = { at: now, totals };
    this.onRates(rates, samples);
  }
}
