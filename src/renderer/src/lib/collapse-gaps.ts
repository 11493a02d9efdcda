// "Collapse non-trading time": the chart's x scale becomes the bar index (an ordinal axis), so
// weekends, holidays and overnight breaks take no space. These pure helpers map time ↔ index and
// choose the axis ticks, whose labels are the bars' real times.
import { lowerBound } from '../../../common/search';

/**
 * True when some step between bars is clearly longer than the usual one (a session gap): more than
 * 1.5 × the most common step. Series without gaps draw the same either way, so the toggle is off.
 */
export function hasSessionGaps(time: ArrayLike<number>): boolean {
  if (time.length < 3) return false;
  const counts = new Map<number, number>();
  for (let i = 1; i < time.length; i++) {
    const d = time[i] - time[i - 1];
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let step = 0;
  let best = 0;
  for (const [d, n] of counts) if (n > best || (n === best && d < step)) [step, best] = [d, n];
  for (const d of counts.keys()) if (d > step * 1.5) return true;
  return false;
}

/**
 * The index of the bar a time falls in: the last bar that opened at or before `t` (clamped to the
 * series), so a trade filled mid-bar, or during a closed session, sits on the bar it belongs to.
 */
export function barIndexAt(time: ArrayLike<number>, t: number): number {
  if (time.length === 0) return 0;
  const i = lowerBound(time, t);
  if (i < time.length && time[i] === t) return i;
  return Math.min(time.length - 1, Math.max(0, i - 1));
}

/**
 * A time as a (fractional) ordinal position: linear between the two bars around it, so a window
 * given in seconds maps onto the index scale without losing its inside-a-bar part. Times inside a
 * gap map to the next bar's index; outside the series they clamp.
 */
export function timeToIndex(time: ArrayLike<number>, t: number): number {
  const n = time.length;
  if (n === 0) return 0;
  if (t <= time[0]) return 0;
  if (t >= time[n - 1]) return n - 1;
  const i = lowerBound(time, t); // time[i-1] < t <= time[i]
  const a = time[i - 1];
  const step = n > 1 ? typicalStep(time, i) : 0;
  // Inside the bar that opened at `a` (up to one usual step): fraction of that bar; in a gap: next bar.
  if (step > 0 && t - a < step) return i - 1 + (t - a) / step;
  return i;
}

/** The real time at a (fractional) ordinal position (inverse of timeToIndex inside bars). */
export function indexToTime(time: ArrayLike<number>, x: number): number {
  const n = time.length;
  if (n === 0) return 0;
  if (x <= 0) return time[0];
  if (x >= n - 1) return time[n - 1];
  const i = Math.floor(x);
  const f = x - i;
  if (f === 0) return time[i];
  const step = typicalStep(time, i + 1);
  return time[i] + f * step;
}

/** The shorter of the steps next to index i (a bar's own length, not a gap's). */
function typicalStep(time: ArrayLike<number>, i: number): number {
  const before = i >= 1 && i < time.length ? time[i] - time[i - 1] : Infinity;
  const after = i + 1 < time.length ? time[i + 1] - time[i] : Infinity;
  const prev = i >= 2 ? time[i - 1] - time[i - 2] : Infinity;
  const s = Math.min(before, after, prev);
  return Number.isFinite(s) ? s : 0;
}

const NICE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/**
 * Integer bar indices for axis ticks in [min, max], about `count` of them, on a "nice" stride
 * (multiples of the stride, so ticks stay put while panning).
 */
export function ordinalTicks(n: number, min: number, max: number, count: number): number[] {
  const lo = Math.max(0, Math.ceil(min));
  const hi = Math.min(n - 1, Math.floor(max));
  if (hi < lo) return [];
  const raw = (hi - lo + 1) / Math.max(1, count);
  const stride = NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw);
  const out: number[] = [];
  for (let i = Math.ceil(lo / stride) * stride; i <= hi; i += stride) out.push(i);
  return out;
}

/**
 * Label for a tick at bar index i: the bar's real time (UTC): the date alone for daily bars or a
 * window of months, date and time over a few days, the time alone within two days.
 */
export function ordinalTickLabel(time: ArrayLike<number>, i: number, spanSeconds: number): string {
  if (i < 0 || i >= time.length) return '';
  const iso = new Date(time[i] * 1000).toISOString();
  const date = iso.slice(0, 10);
  const hm = iso.slice(11, 16);
  const intraday = time.length > 1 && time[1] - time[0] < 86400;
  if (!intraday || spanSeconds > 60 * 86400) return date;
  return spanSeconds > 2 * 86400 ? `${date} ${hm}` : hm;
}
