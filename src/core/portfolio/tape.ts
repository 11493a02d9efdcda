// The book's inputs laid out in the order its loop visits them (the "tape"): for each step, its
// members (leg, bar), and the bars' open/high/low/close and decided action in that same order. The
// loop then streams through memory instead of hopping between N legs' arrays at every step (with
// 1,000 legs that hopping, not the arithmetic, was most of the time). Member order is step by step,
// legs in order within a step: for identical clocks that is time-major (vectorbt's layout), for one
// leg it is the leg's own arrays (no copy).
import type { LegInput } from './types';
import { buildSchedule, type Schedule } from './schedule';

export interface Tape extends Schedule {
  legs: number;
  /** Members in loop order. */
  members: number;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  action: Uint8Array;
  /** The model's confidence per member (Float32 when every leg's is, as the classifier gives it). */
  confidence: Float32Array | Float64Array;
}

/** Member index of leg i's bar at step s in a dense tape. */
export const denseIndex = (s: number, legs: number, i: number) => s * legs + i;

const TILE = 64;

/**
 * Time-major copy of N equally long per-leg columns, tiled so both sides stay in cache. One copy of
 * the loop per element type (a shared generic one is polymorphic in V8 and several times slower).
 */
function transposeF64(cols: readonly Float64Array[], steps: number): Float64Array {
  const N = cols.length;
  const out = new Float64Array(steps * N);
  for (let i0 = 0; i0 < N; i0 += TILE)
    for (let s0 = 0; s0 < steps; s0 += TILE)
      for (let i = i0, i1 = Math.min(N, i0 + TILE); i < i1; i++) {
        const c = cols[i];
        for (let s = s0, s1 = Math.min(steps, s0 + TILE); s < s1; s++) out[s * N + i] = c[s];
      }
  return out;
}

function transposeU8(cols: readonly Uint8Array[], steps: number): Uint8Array {
  const N = cols.length;
  const out = new Uint8Array(steps * N);
  for (let i0 = 0; i0 < N; i0 += TILE)
    for (let s0 = 0; s0 < steps; s0 += TILE)
      for (let i = i0, i1 = Math.min(N, i0 + TILE); i < i1; i++) {
        const c = cols[i];
        for (let s = s0, s1 = Math.min(steps, s0 + TILE); s < s1; s++) out[s * N + i] = c[s];
      }
  return out;
}

function transposeF32(cols: readonly Float32Array[], steps: number): Float32Array {
  const N = cols.length;
  const out = new Float32Array(steps * N);
  for (let i0 = 0; i0 < N; i0 += TILE)
    for (let s0 = 0; s0 < steps; s0 += TILE)
      for (let i = i0, i1 = Math.min(N, i0 + TILE); i < i1; i++) {
        const c = cols[i];
        for (let s = s0, s1 = Math.min(steps, s0 + TILE); s < s1; s++) out[s * N + i] = c[s];
      }
  return out;
}

/** Confidences in member order, keeping Float32 when every leg's is (exact either way). */
function layoutConfidence(cols: readonly (Float32Array | Float64Array)[], sch: Schedule): Float32Array | Float64Array {
  const steps = sch.time.length;
  if (sch.dense && cols.length === 1) return cols[0].length === steps ? cols[0] : cols[0].subarray(0, steps);
  if (cols.every((c): c is Float32Array => c instanceof Float32Array)) {
    if (sch.dense) return transposeF32(cols, steps);
    const out = new Float32Array(sch.leg.length);
    for (let m = 0; m < out.length; m++) out[m] = cols[sch.leg[m]][sch.bar[m]];
    return out;
  }
  return layoutF64(
    cols.map((c) => (c instanceof Float64Array ? c : Float64Array.from(c))),
    sch,
  );
}

/** Leg columns gathered into member order (sparse schedules). */
function gatherF64(cols: readonly Float64Array[], sch: Schedule): Float64Array {
  const out = new Float64Array(sch.leg.length);
  for (let m = 0; m < out.length; m++) out[m] = cols[sch.leg[m]][sch.bar[m]];
  return out;
}

function gatherU8(cols: readonly Uint8Array[], sch: Schedule): Uint8Array {
  const out = new Uint8Array(sch.leg.length);
  for (let m = 0; m < out.length; m++) out[m] = cols[sch.leg[m]][sch.bar[m]];
  return out;
}

/** Columns in member order: the leg's own array for one dense leg, else time-major or gathered. */
function layoutF64(cols: readonly Float64Array[], sch: Schedule): Float64Array {
  const steps = sch.time.length;
  if (!sch.dense) return gatherF64(cols, sch);
  if (cols.length === 1) return cols[0].length === steps ? cols[0] : cols[0].subarray(0, steps);
  return transposeF64(cols, steps);
}

function layoutU8(cols: readonly Uint8Array[], sch: Schedule): Uint8Array {
  const steps = sch.time.length;
  if (!sch.dense) return gatherU8(cols, sch);
  if (cols.length === 1) return cols[0].length === steps ? cols[0] : cols[0].subarray(0, steps);
  return transposeU8(cols, steps);
}

export function buildTape(legs: readonly LegInput[], schedule: Schedule = buildSchedule(legs.map((l) => ({ symbol: l.symbol, time: l.bars.time, bar_ms: l.bar_ms })))): Tape {
  const members = schedule.dense ? schedule.time.length * legs.length : schedule.leg.length;
  return {
    ...schedule,
    legs: legs.length,
    members,
    open: layoutF64(
      legs.map((l) => l.bars.open),
      schedule,
    ),
    high: layoutF64(
      legs.map((l) => l.bars.high),
      schedule,
    ),
    low: layoutF64(
      legs.map((l) => l.bars.low),
      schedule,
    ),
    close: layoutF64(
      legs.map((l) => l.bars.close),
      schedule,
    ),
    action: actionTape(legs, schedule),
    confidence: layoutConfidence(
      legs.map((l) => l.signals.confidence),
      schedule,
    ),
  };
}

/** The actions alone in member order (random-entry runs change only these). */
export function actionTape(legs: readonly Pick<LegInput, 'signals'>[], schedule: Schedule): Uint8Array {
  return layoutU8(
    legs.map((l) => l.signals.action),
    schedule,
  );
}

/** Member-order values back into one array per leg (lengths = the legs' bar counts). */
export function perLeg<T extends Float64Array | Int8Array | Uint8Array>(tape: Tape, values: T, lengths: readonly number[], make: (n: number) => T): T[] {
  const N = tape.legs;
  if (tape.dense && N === 1) return [values];
  const out = lengths.map(make);
  if (tape.dense) {
    const steps = tape.time.length;
    for (let i0 = 0; i0 < N; i0 += TILE) {
      const i1 = Math.min(N, i0 + TILE);
      for (let s0 = 0; s0 < steps; s0 += TILE) {
        const s1 = Math.min(steps, s0 + TILE);
        for (let i = i0; i < i1; i++) {
          const o = out[i];
          for (let s = s0; s < s1; s++) o[s] = values[s * N + i];
        }
      }
    }
  } else for (let m = 0; m < values.length; m++) out[tape.leg[m]][tape.bar[m]] = values[m];
  return out;
}
