// Column-wise operations on bar series: building, ordering, merging and range search.
import { lowerBound, upperBound } from '../../common/search';
import { emptyBars, sliceBars, type BarSeries } from './types';

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Appends bars into growable columns; `finish()` returns exact-length arrays. */
export class BarBuilder {
  private cap: number;
  length = 0;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;

  constructor(capacity = 1024) {
    this.cap = Math.max(16, capacity);
    this.time = new Float64Array(this.cap);
    this.open = new Float64Array(this.cap);
    this.high = new Float64Array(this.cap);
    this.low = new Float64Array(this.cap);
    this.close = new Float64Array(this.cap);
    this.volume = new Float64Array(this.cap);
  }

  push(t: number, o: number, h: number, l: number, c: number, v: number): void {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
    this.time[i] = t;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
    this.volume[i] = v;
  }

  private grow(): void {
    this.cap *= 2;
    for (const k of COLUMNS) {
      const next = new Float64Array(this.cap);
      next.set(this[k]);
      this[k] = next;
    }
  }

  finish(symbol: string, timeframe: string): BarSeries {
    const n = this.length;
    const cut = (a: Float64Array) => (a.length === n ? a : a.slice(0, n));
    return {
      symbol,
      timeframe,
      time: cut(this.time),
      open: cut(this.open),
      high: cut(this.high),
      low: cut(this.low),
      close: cut(this.close),
      volume: cut(this.volume),
    };
  }
}

export function isStrictlyAscending(time: Float64Array): boolean {
  for (let i = 1; i < time.length; i++) if (!(time[i] > time[i - 1])) return false;
  return true;
}

/**
 * Sorts by time and keeps ONE bar per timestamp: the last one given (a later row corrects an
 * earlier one). Returns the input itself when it is already strictly ascending.
 */
/** How many repeated timestamps sortAndDedupe names (all are counted). */
export const DUPLICATES_LISTED = 20;

/**
 * Sorted by time, one bar per timestamp (the last row of a repeated timestamp wins). `duplicateTimes`:
 * the first DUPLICATES_LISTED timestamps that were repeated, so that an import can say which.
 */
export function sortAndDedupe(bars: BarSeries): { bars: BarSeries; duplicates: number; duplicateTimes: number[] } {
  if (isStrictlyAscending(bars.time)) return { bars, duplicates: 0, duplicateTimes: [] };
  const n = bars.time.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const t = bars.time;
  // Stable by index, so "last wins" below is well defined.
  const sorted = Array.from(order).sort((a, b) => t[a] - t[b] || a - b);
  const keep: number[] = [];
  const duplicateTimes: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = sorted[k];
    if (keep.length && t[keep[keep.length - 1]] === t[i]) {
      keep[keep.length - 1] = i;
      if (duplicateTimes.length < DUPLICATES_LISTED && duplicateTimes[duplicateTimes.length - 1] !== t[i]) duplicateTimes.push(t[i]);
    } else keep.push(i);
  }
  const out = emptyBars(bars.symbol, bars.timeframe, keep.length);
  for (const c of COLUMNS) {
    const src = bars[c];
    const dst = out[c];
    for (let k = 0; k < keep.length; k++) dst[k] = src[keep[k]];
  }
  return { bars: out, duplicates: n - keep.length, duplicateTimes };
}

export interface MergeResult {
  bars: BarSeries;
  /** Bars whose timestamp was not stored before. */
  added: number;
  /** Stored bars overwritten by an incoming bar with the same timestamp and different values. */
  replaced: number;
  /** Incoming bars identical to what was stored. */
  unchanged: number;
}

function sameBar(a: BarSeries, i: number, b: BarSeries, j: number): boolean {
  return a.open[i] === b.open[j] && a.high[i] === b.high[j] && a.low[i] === b.low[j] && a.close[i] === b.close[j] && a.volume[i] === b.volume[j];
}

/** Merges two ascending, unique series; on equal timestamps the incoming bar wins. */
export function mergeBars(stored: BarSeries, incoming: BarSeries): MergeResult {
  const a = stored;
  const b = incoming;
  const na = a.time.length;
  const nb = b.time.length;
  const out = new BarBuilder(na + nb);
  let i = 0;
  let j = 0;
  let added = 0;
  let replaced = 0;
  let unchanged = 0;
  const take = (s: BarSeries, k: number) => out.push(s.time[k], s.open[k], s.high[k], s.low[k], s.close[k], s.volume[k]);
  while (i < na || j < nb) {
    if (j >= nb || (i < na && a.time[i] < b.time[j])) take(a, i++);
    else if (i >= na || b.time[j] < a.time[i]) {
      take(b, j++);
      added++;
    } else {
      if (sameBar(a, i, b, j)) unchanged++;
      else replaced++;
      take(b, j++);
      i++;
    }
  }
  return { bars: out.finish(stored.symbol, stored.timeframe), added, replaced, unchanged };
}

// Binary search lives in the common layer (the renderer's charts use the same one).
export { lowerBound, upperBound };

export interface TimeRange {
  /** Inclusive, UTC ms. */
  start?: number;
  /** Inclusive, UTC ms. */
  end?: number;
}

/** Index range [from, to) of the bars with start ≤ time ≤ end. */
export function rangeIndices(time: Float64Array, range: TimeRange = {}): [number, number] {
  const from = range.start === undefined ? 0 : lowerBound(time, range.start);
  const to = range.end === undefined ? time.length : upperBound(time, range.end);
  return [from, Math.max(from, to)];
}

/** The bars inside a time range, sharing memory with the input. */
export function barsInRange(bars: BarSeries, range: TimeRange = {}): BarSeries {
  const [from, to] = rangeIndices(bars.time, range);
  return from === 0 && to === bars.time.length ? bars : sliceBars(bars, from, to);
}

/** The last `n` bars (KTRDR's `limit`), sharing memory. */
export function lastBars(bars: BarSeries, n: number): BarSeries {
  const len = bars.time.length;
  return n >= len ? bars : sliceBars(bars, len - n, len);
}

/** Why a bar is not a valid OHLCV bar, or null when it is. */
export function ohlcProblem(o: number, h: number, l: number, c: number, v: number): string | null {
  if (!Number.isFinite(o) || !Number.isFinite(h) || !Number.isFinite(l) || !Number.isFinite(c) || !Number.isFinite(v)) return 'missing or non-numeric value';
  if (o < 0 || h < 0 || l < 0 || c < 0) return 'negative price';
  if (v < 0) return 'negative volume';
  if (h < o || h < c) return 'high below open/close';
  if (l > o || l > c) return 'low above open/close';
  if (h < l) return 'high below low';
  return null;
}
