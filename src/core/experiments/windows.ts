// Walk-forward windows: sizes as durations ("3y", "6M", "30d", "2w", "12h") or bar counts (500 or
// "500b"), and the fold plan over the base timeframe's bar times. Pure.
//
// A fold k trains on bars [trainStart, trainEnd) and tests on [testStart, testEnd) with
// testStart = trainEnd + embargo_bars, so every test bar opens strictly after the last training bar.
// Rolling (default): the training start moves by `step` each fold. Anchored: training always starts
// at the first bar and its end moves by `step`. `step` defaults to the test window. A fold whose test
// window would run past the data is not planned (no partial last fold).
//
// The calendar grid is anchored at the requested start date and may end at the requested end (the
// exclusive end of its last day), not at the first bar's open and the last bar's close: 2010-01-01 ..
// 2014-12-31 with 2y/1y has three folds although FX opens on 3 Jan 2010 and closes early on 31 Dec
// 2014. The data must reach those dates: a gap from the requested start to the first bar (or from the
// last bar's close to the requested end) longer than a market closure (a week, or the longest gap
// inside the data when that is longer) means the data starts later (ends earlier), and the grid uses
// the bars instead.

import { lowerBound } from '../../common/search';

export type WindowSpec = { kind: 'bars'; bars: number } | { kind: 'duration'; amount: number; unit: 'y' | 'M' | 'w' | 'd' | 'h' };

const DURATION_RE = /^(\d+)\s*(y|M|w|d|h)$/;
const BARS_RE = /^(\d+)\s*(b|bars)?$/;

/** "3y" / "6M" / "30d" / "2w" / "12h" → a calendar duration; 500 / "500" / "500b" → bars. Null when neither. */
export function parseWindow(v: unknown): WindowSpec | null {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? { kind: 'bars', bars: v } : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  const d = DURATION_RE.exec(s);
  if (d && Number(d[1]) > 0) return { kind: 'duration', amount: Number(d[1]), unit: d[2] as 'y' };
  const b = BARS_RE.exec(s);
  if (b && Number(b[1]) > 0) return { kind: 'bars', bars: Number(b[1]) };
  return null;
}

/** Mean hours per duration unit (a year is 365.25 days, a month a twelfth of it). */
const UNIT_HOURS = { h: 1, d: 24, w: 168, M: 730.5, y: 8766 } as const;

/** A size to compare two windows of the same kind: bars, or mean hours for durations (12M = 1y). */
export function windowLength(w: WindowSpec): number {
  return w.kind === 'bars' ? w.bars : w.amount * UNIT_HOURS[w.unit];
}

export function formatWindow(w: WindowSpec): string {
  return w.kind === 'bars' ? `${w.bars} bars` : `${w.amount}${w.unit}`;
}

/** t + duration, by the UTC calendar for years and months (31 Jan + 1M = 3 Mar, as Date does). */
export function addDuration(t: number, w: Extract<WindowSpec, { kind: 'duration' }>): number {
  const d = new Date(t);
  switch (w.unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear() + w.amount, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + w.amount, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    case 'w':
      return t + w.amount * 7 * 86_400_000;
    case 'd':
      return t + w.amount * 86_400_000;
    case 'h':
      return t + w.amount * 3_600_000;
  }
}

export interface WalkForwardSpec {
  train: WindowSpec;
  test: WindowSpec;
  step?: WindowSpec | null;
  anchored?: boolean;
  embargoBars?: number;
  /** Guard against absurd plans (e.g. 1-bar steps over decades). */
  maxFolds?: number;
  /** The requested range: its start (ms) and exclusive end (ms, the end of its last day). */
  rangeStart?: number;
  rangeEnd?: number;
}

export interface FoldPlan {
  index: number;
  /** Bar indices into the times array: [start, end). */
  train: { start: number; end: number };
  test: { start: number; end: number };
  /** Open times (ms) of the first and last bar of each window. */
  train_start: number;
  train_end: number;
  test_start: number;
  test_end: number;
}

/**
 * Folds over `times` (sorted bar open times of the base timeframe, the whole requested range);
 * `barMs` is the bar length (a duration window may end at the last bar's close).
 */
const WEEK_MS = 7 * 86_400_000;

/** The longest ordinary market closure: a week, or the longest step between bar opens if longer. */
function longestClosure(times: ArrayLike<number>, barMs: number): number {
  let gap = Math.max(barMs, WEEK_MS);
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap;
}

export function planWalkForward(times: ArrayLike<number>, barMs: number, spec: WalkForwardSpec): FoldPlan[] {
  const n = times.length;
  if (n === 0) return [];
  const closure = longestClosure(times, barMs);
  const lastClose = times[n - 1] + barMs;
  const gridStart = spec.rangeStart !== undefined && spec.rangeStart <= times[0] && times[0] - spec.rangeStart <= closure ? spec.rangeStart : times[0];
  const limitEnd = spec.rangeEnd !== undefined && spec.rangeEnd >= lastClose && spec.rangeEnd - lastClose <= closure ? spec.rangeEnd : lastClose;
  const embargo = Math.max(0, Math.floor(spec.embargoBars ?? 0));
  const step = spec.step ?? spec.test;
  const maxFolds = spec.maxFolds ?? 500;
  // A boundary is a bar index plus the ideal time it stands for: durations are added to the ideal
  // time (so 1 Mar + 6M is 1 Sep even when 1 Mar is a Sunday and its first bar is 2 Mar).
  type Boundary = { i: number; t: number };
  const at = (i: number): Boundary => ({ i, t: i === 0 ? gridStart : i < n ? times[i] : limitEnd });
  const move = (b: Boundary, w: WindowSpec): Boundary | null => {
    if (w.kind === 'bars') return b.i + w.bars <= n ? at(b.i + w.bars) : null;
    const t = addDuration(b.t, w);
    if (t > limitEnd) return null;
    return { i: lowerBound(times, t), t };
  };
  const folds: FoldPlan[] = [];
  let start: Boundary = at(0);
  let end = move(start, spec.train);
  while (end !== null && folds.length < maxFolds) {
    const testStart = embargo > 0 ? at(end.i + embargo) : end;
    const testEnd = testStart.i < n ? move(testStart, spec.test) : null;
    if (testEnd === null || testEnd.i <= testStart.i || end.i - start.i < 2) break;
    folds.push({
      index: folds.length,
      train: { start: start.i, end: end.i },
      test: { start: testStart.i, end: testEnd.i },
      train_start: times[start.i],
      train_end: times[end.i - 1],
      test_start: times[testStart.i],
      test_end: times[testEnd.i - 1],
    });
    if (spec.anchored) {
      const next = move(end, step);
      if (next === null || next.i <= end.i) break;
      end = next;
    } else {
      const nextStart = move(start, step);
      if (nextStart === null || nextStart.i <= start.i) break;
      start = nextStart;
      end = move(start, spec.train);
    }
  }
  return folds;
}

/**
 * The first pair of consecutive folds whose test windows overlap (a step shorter than the test
 * window): stitching them would count the shared bars twice. Null when every test window starts
 * at or after the previous one's end.
 */
export function overlappingTestWindows(folds: readonly FoldPlan[]): [FoldPlan, FoldPlan] | null {
  for (let k = 1; k < folds.length; k++) if (folds[k].test.start < folds[k - 1].test.end) return [folds[k - 1], folds[k]];
  return null;
}
