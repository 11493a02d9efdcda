// The book's clock: the union of the legs' bar open times (one step per distinct time), and for each
// step the legs that have a bar there. Legs on different calendars (FX 24/5, US sessions, holidays)
// simply miss steps; a leg without a bar at a step keeps its last close.
//
// The no-look-ahead rule across legs: a fill at a bar's open is sized from equity marked at closes
// that happened by that open, and a decision at a bar's close sees closes up to it. That holds when
// every bar processed at an earlier step has closed by the next step's open. A bar's close is its
// open + bar_ms, or its leg's next open when that comes sooner (FX's short Sunday bar, an early
// close). A leg whose bars would straddle another leg's step (a 1d leg beside 1h legs, or grids
// shifted by half a bar) is refused with the first offending pair: resample the legs to one grid.

export interface Schedule {
  /** Open time of each step (ms), ascending. */
  time: Float64Array;
  /** Every leg has a bar at every step (identical clocks): members are implicit (leg i, bar = step). */
  dense: boolean;
  /** CSR rows when not dense: step s has members start[s] .. start[s+1]−1. */
  start: Int32Array;
  leg: Int32Array;
  bar: Int32Array;
}

export interface ClockLeg {
  symbol: string;
  time: Float64Array;
  bar_ms: number;
}

function sameClock(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sorted union of two ascending arrays without repeats. */
function mergeUnique(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    if (i < a.length && a[i] === v) i++;
    if (j < b.length && b[j] === v) j++;
    if (n === 0 || out[n - 1] !== v) out[n++] = v;
  }
  return out.subarray(0, n);
}

/** Union of the legs' clocks by pairwise merging (O(total · log legs); identical clocks merge in one pass). */
function unionOf(times: Float64Array[]): Float64Array {
  let level = times.slice();
  while (level.length > 1) {
    const next: Float64Array[] = [];
    for (let k = 0; k < level.length; k += 2) next.push(k + 1 < level.length ? (sameClock(level[k], level[k + 1]) ? level[k] : mergeUnique(level[k], level[k + 1])) : level[k]);
    level = next;
  }
  return level[0] ?? new Float64Array(0);
}

function checkAscending(leg: ClockLeg): void {
  const t = leg.time;
  for (let k = 1; k < t.length; k++) {
    if (!(t[k] > t[k - 1])) throw new Error(`${leg.symbol}: bar times must be strictly ascending (bar ${k} at ${iso(t[k])} after ${iso(t[k - 1])})`);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildSchedule(legs: readonly ClockLeg[]): Schedule {
  if (legs.length === 0) throw new Error('a portfolio needs at least one leg');
  const first = legs[0].time;
  // One leg: its own clock is the schedule, as the single-symbol engine always took it.
  if (legs.length === 1) return { time: first, dense: true, start: new Int32Array(0), leg: new Int32Array(0), bar: new Int32Array(0) };
  checkAscending(legs[0]);
  // One clock for every leg: each bar closes by the next step's open (its own next open), so the
  // grid holds by construction.
  if (legs.every((l) => sameClock(l.time, first))) return { time: first, dense: true, start: new Int32Array(0), leg: new Int32Array(0), bar: new Int32Array(0) };
  for (const leg of legs) checkAscending(leg);
  const time = unionOf(legs.map((l) => l.time));
  const steps = time.length;
  // Step index of every leg bar (walk the union once per leg from its first bar).
  const stepOf = legs.map((l) => {
    const out = new Int32Array(l.time.length);
    let s = 0;
    for (let k = 0; k < l.time.length; k++) {
      while (time[s] < l.time[k]) s++;
      out[k] = s;
    }
    return out;
  });
  const start = new Int32Array(steps + 1);
  for (const idx of stepOf) for (let k = 0; k < idx.length; k++) start[idx[k] + 1]++;
  for (let s = 0; s < steps; s++) start[s + 1] += start[s];
  const fill = start.slice(0, steps);
  const leg = new Int32Array(start[steps]);
  const bar = new Int32Array(start[steps]);
  // Legs in order, so members of a step are sorted by leg (deterministic fill order).
  stepOf.forEach((idx, i) => {
    for (let k = 0; k < idx.length; k++) {
      const m = fill[idx[k]]++;
      leg[m] = i;
      bar[m] = k;
    }
  });
  const schedule: Schedule = { time, dense: false, start, leg, bar };
  checkGrid(legs, time, schedule);
  return schedule;
}

/**
 * Every bar of an earlier step has closed by each step's open (see the header). Throws naming the
 * first bar that would straddle a later step.
 */
function checkGrid(legs: readonly ClockLeg[], time: Float64Array, sch: Schedule): void {
  let latestClose = -Infinity;
  let latestLeg = -1;
  let latestOpen = NaN;
  for (let s = 0; s < time.length; s++) {
    if (latestClose > time[s]) {
      const who = legs[latestLeg];
      throw new Error(
        `${who.symbol}'s bar opening ${iso(latestOpen)} closes at ${iso(latestClose)}, after another leg's bar opens at ${iso(time[s])}: ` +
          `the legs are not on one time grid (fills there would be sized with a close from the future); use one timeframe on aligned bars for every leg`,
      );
    }
    for (let m = sch.start[s]; m < sch.start[s + 1]; m++) {
      const i = sch.leg[m];
      const k = sch.bar[m];
      const t = legs[i].time;
      const close = Math.min(t[k] + legs[i].bar_ms, k + 1 < t.length ? t[k + 1] : Infinity);
      if (close > latestClose) {
        latestClose = close;
        latestLeg = i;
        latestOpen = t[k];
      }
    }
  }
}
