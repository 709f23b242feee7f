// A small SVG line chart of the last N points of a few named series. The element carries the latest and
// the largest value of each series in data attributes (data-<series>-last / -max), for people and tests.
const NS = "http://www.w3.org/2000/svg";
const W = 300, H = 100, PAD = 4;

export class LineChart {
  constructor(container, series, points = 60) {
    this.series = series; // [{key, color, dash?}]
    this.points = points;
    // Starts flat at zero so the line spans the chart from the first sample on.
    this.values = Object.fromEntries(series.map(s => [s.key, new Array(points).fill(0)]));
    this.svg = document.createElementNS(NS, "svg");
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.lines = {};
    this.grid = document.createElementNS(NS, "path");
    this.grid.setAttribute("stroke", "#eef0f3");
    this.grid.setAttribute("d", [0.25, 0.5, 0.75].map(f => `M0 ${H * f}H${W}`).join(""));
    this.svg.append(this.grid);
    for (const s of series) {
      const line = document.createElementNS(NS, "polyline");
      line.setAttribute("fill", "none");
      line.setAttribute("stroke-width", "2");
      line.setAttribute("vector-effect", "non-scaling-stroke");
      line.setAttribute("stroke", s.color);
      if (s.dash) line.setAttribute("stroke-dasharray", s.dash);
      this.lines[s.key] = line;
      this.svg.append(line);
    }
    this.el = container;
    container.append(this.svg);
  }

  push(sample) {
    for (const s of this.series) {
      const v = this.values[s.key];
      v.push(sample[s.key] ?? 0);
      if (v.length > this.points) v.shift();
    }
    this.draw();
  }

  draw() {
    const all = Object.values(this.values).flat();
    const top = Math.max(1, ...all);
    for (const s of this.series) {
      const v = this.values[s.key];
      const step = (W - 2 * PAD) / (this.points - 1);
      const x0 = W - PAD - (v.length - 1) * step;
      const pts = v.map((y, i) => `${(x0 + i * step).toFixed(1)},${(H - PAD - (y / top) * (H - 2 * PAD)).toFixed(1)}`);
      this.lines[s.key].setAttribute("points", pts.join(" "));
      this.el.dataset[`${s.key}Last`] = String(v[v.length - 1] ?? 0);
      this.el.dataset[`${s.key}Max`] = String(Math.max(0, ...v));
    }
    this.el.dataset.scale = String(top);
  }
}
