// Small inline SVG charts drawn as markup: the HTML report embeds them (no script, no network) and the
// app's Backtests view shows the very same markup, so both draw one chart. Every text goes through
// escapeHtml; coordinates are rounded to 0.1 px. Class names (equity, dd, pos, neg, grid, base,
// marker) are styled by the page that shows them.
import { escapeHtml } from './escape';
import { histogramBins } from './equity-stats';

const W = 860;
const PAD = { l: 70, r: 16, t: 14, b: 30 };
const r1 = (v: number) => (Math.round(v * 10) / 10).toString();

export interface Axis {
  min: number;
  max: number;
}

function extent(values: ArrayLike<number>, includeZero = false): Axis {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (includeZero) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  if (max - min < 1e-12) return { min: min - 0.5 * (Math.abs(min) || 1), max: max + 0.5 * (Math.abs(max) || 1) };
  return { min, max };
}

function frame(h: number, body: string, label: string): string {
  return `<svg viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="${escapeHtml(label)}" class="chart">${body}</svg>`;
}

function yTicks(axis: Axis, h: number, fmt: (v: number) => string, count = 4): string {
  let s = '';
  for (let i = 0; i <= count; i++) {
    const v = axis.min + ((axis.max - axis.min) * i) / count;
    const y = h - PAD.b - ((h - PAD.t - PAD.b) * i) / count;
    s += `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${r1(y)}" y2="${r1(y)}" class="grid"/><text x="${PAD.l - 6}" y="${r1(y + 4)}" text-anchor="end">${escapeHtml(fmt(v))}</text>`;
  }
  return s;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A time series (already down-sampled by the caller): line, optionally filled down to the baseline. */
export function lineChart(opts: { time: ArrayLike<number>; values: ArrayLike<number>; height?: number; fill?: boolean; invert?: boolean; cls: string; label: string; fmt: (v: number) => string; baseline?: number }): string {
  const h = opts.height ?? 240;
  const n = opts.values.length;
  if (n === 0) return frame(h, `<text x="${W / 2}" y="${h / 2}" text-anchor="middle">no data</text>`, opts.label);
  const ax = extent(opts.values, opts.fill);
  const t0 = opts.time[0];
  const t1 = opts.time[n - 1];
  const x = (t: number) => PAD.l + ((W - PAD.l - PAD.r) * (t - t0)) / Math.max(1, t1 - t0);
  const y = (v: number) => {
    const f = (v - ax.min) / (ax.max - ax.min);
    return opts.invert ? PAD.t + (h - PAD.t - PAD.b) * f : h - PAD.b - (h - PAD.t - PAD.b) * f;
  };
  let pts = '';
  for (let i = 0; i < n; i++) pts += `${r1(x(opts.time[i]))},${r1(y(opts.values[i]))} `;
  let body = opts.invert ? yTicksInverted(ax, h, opts.fmt) : yTicks(ax, h, opts.fmt);
  if (opts.baseline !== undefined && opts.baseline > ax.min && opts.baseline < ax.max) {
    body += `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${r1(y(opts.baseline))}" y2="${r1(y(opts.baseline))}" class="base"/>`;
  }
  if (opts.fill) {
    const base = r1(y(0));
    body += `<polygon class="${opts.cls}-fill" points="${r1(x(t0))},${base} ${pts}${r1(x(t1))},${base}"/>`;
  }
  body += `<polyline class="${opts.cls}" fill="none" points="${pts.trim()}"/>`;
  body += `<text x="${PAD.l}" y="${h - 8}">${escapeHtml(day(t0))}</text><text x="${W - PAD.r}" y="${h - 8}" text-anchor="end">${escapeHtml(day(t1))}</text>`;
  return frame(h, body, opts.label);
}

function yTicksInverted(axis: Axis, h: number, fmt: (v: number) => string, count = 4): string {
  let s = '';
  for (let i = 0; i <= count; i++) {
    const v = axis.min + ((axis.max - axis.min) * i) / count;
    const y = PAD.t + ((h - PAD.t - PAD.b) * i) / count;
    s += `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${r1(y)}" y2="${r1(y)}" class="grid"/><text x="${PAD.l - 6}" y="${r1(y + 4)}" text-anchor="end">${escapeHtml(fmt(v))}</text>`;
  }
  return s;
}

/** Histogram with `bins` equal-width bins; bars below zero and above zero coloured apart. */
export function histogram(opts: { values: ArrayLike<number>; bins?: number; label: string; fmt: (v: number) => string; height?: number; marker?: { value: number; label: string } }): string {
  const h = opts.height ?? 220;
  const bins = histogramBins(opts.values, opts.bins ?? 30, opts.marker ? [opts.marker.value] : []);
  if (bins.length === 0) return frame(h, `<text x="${W / 2}" y="${h / 2}" text-anchor="middle">no trades</text>`, opts.label);
  const ax = { min: bins[0].lo, max: bins[bins.length - 1].hi };
  const top = Math.max(...bins.map((b) => b.count));
  const bw = (W - PAD.l - PAD.r) / bins.length;
  const x = (v: number) => PAD.l + ((W - PAD.l - PAD.r) * (v - ax.min)) / (ax.max - ax.min);
  let body = yTicks({ min: 0, max: top }, h, (v) => String(Math.round(v)));
  bins.forEach((bin, b) => {
    const bh = ((h - PAD.t - PAD.b) * bin.count) / top;
    const mid = (bin.lo + bin.hi) / 2;
    body += `<rect class="${mid < 0 ? 'neg' : 'pos'}" x="${r1(PAD.l + b * bw + 1)}" y="${r1(h - PAD.b - bh)}" width="${r1(Math.max(1, bw - 2))}" height="${r1(bh)}"><title>${escapeHtml(`${opts.fmt(bin.lo)} … ${opts.fmt(bin.hi)}: ${bin.count}`)}</title></rect>`;
  });
  if (opts.marker) {
    const mx = r1(x(opts.marker.value));
    body += `<line class="marker" x1="${mx}" x2="${mx}" y1="${PAD.t}" y2="${h - PAD.b}"/><text x="${mx}" y="${PAD.t + 10}" dx="4">${escapeHtml(opts.marker.label)}</text>`;
  }
  body += `<text x="${PAD.l}" y="${h - 8}">${escapeHtml(opts.fmt(ax.min))}</text><text x="${W - PAD.r}" y="${h - 8}" text-anchor="end">${escapeHtml(opts.fmt(ax.max))}</text>`;
  return frame(h, body, opts.label);
}

/** Scatter of (x, y) points; `win` colours a point as a winner or a loser. */
export function scatter(opts: { points: readonly { x: number; y: number; win: boolean }[]; label: string; xLabel: string; yLabel: string; fmt: (v: number) => string; height?: number }): string {
  const h = opts.height ?? 280;
  if (opts.points.length === 0) return frame(h, `<text x="${W / 2}" y="${h / 2}" text-anchor="middle">no trades</text>`, opts.label);
  const ax = extent(opts.points.map((p) => p.x), true);
  const ay = extent(opts.points.map((p) => p.y), true);
  const x = (v: number) => PAD.l + ((W - PAD.l - PAD.r) * (v - ax.min)) / (ax.max - ax.min);
  const y = (v: number) => h - PAD.b - ((h - PAD.t - PAD.b) * (v - ay.min)) / (ay.max - ay.min);
  let body = yTicks(ay, h, opts.fmt);
  body += `<line class="base" x1="${r1(x(0))}" x2="${r1(x(0))}" y1="${PAD.t}" y2="${h - PAD.b}"/>`;
  for (const p of opts.points) body += `<circle class="${p.win ? 'pos' : 'neg'}" cx="${r1(x(p.x))}" cy="${r1(y(p.y))}" r="3"/>`;
  body += `<text x="${PAD.l}" y="${h - 8}">${escapeHtml(`${opts.xLabel}: ${opts.fmt(ax.min)}`)}</text><text x="${W - PAD.r}" y="${h - 8}" text-anchor="end">${escapeHtml(opts.fmt(ax.max))}</text>`;
  body += `<text x="${PAD.l + 4}" y="${PAD.t + 10}">${escapeHtml(opts.yLabel)}</text>`;
  return frame(h, body, opts.label);
}
