// Decision rules (KTRDR's DecisionFunction, classification mode): from per-bar class probabilities to
// per-bar signals. Class indices are KTRDR's: 0 BUY, 1 HOLD, 2 SELL.
//
// Two stages, because only the first can be computed without the position:
//  1. classifyProbabilities: per bar, argmax class and its probability (softmax applied when the row is
//     logits), HOLD when the row is invalid (warm-up, NaN features), not finite, or below the threshold.
//  2. filterSignal: per bar, with the current position and the time of the last executed trade:
//     minimum separation, position awareness, long-only unless allow_short_from_flat.
// The engine applies stage 2 inside its loop with the real position; decideSignals applies it with an
// idealised position (every signal fills) for analysis and tests.

export const BUY = 0;
export const HOLD = 1;
export const SELL = 2;
export type Action = typeof BUY | typeof HOLD | typeof SELL;

/** Position sign: what filterSignal needs to know about the book. */
export const FLAT = 0;
export const LONG = 1;
export const SHORT = -1;
export type PositionSide = typeof FLAT | typeof LONG | typeof SHORT;

export const NUM_CLASSES = 3;
const HOUR_MS = 3_600_000;

export interface DecisionConfig {
  /** A signal needs its class probability ≥ this (KTRDR default 0.5). */
  confidence_threshold: number;
  /** BUY while long / SELL while short are ignored; SELL from flat needs allow_short_from_flat. */
  position_awareness: boolean;
  allow_short_from_flat: boolean;
  /**
   * KTRDR's `filters.min_signal_separation`, in HOURS (its unit, kept for strategy compatibility):
   * a signal on a bar less than this long after the last executed trade's fill is dropped.
   */
  min_signal_separation: number;
}

export const DEFAULT_DECISIONS: DecisionConfig = {
  confidence_threshold: 0.5,
  position_awareness: true,
  allow_short_from_flat: false,
  min_signal_separation: 4,
};

const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const bool = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);

/** Reads a strategy's `decisions` section (any shape) with KTRDR's defaults for what is missing. */
export function resolveDecisionConfig(raw: unknown): DecisionConfig {
  const d = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const filters = (d.filters && typeof d.filters === 'object' ? d.filters : {}) as Record<string, unknown>;
  return {
    confidence_threshold: num(d.confidence_threshold, DEFAULT_DECISIONS.confidence_threshold),
    position_awareness: bool(d.position_awareness, DEFAULT_DECISIONS.position_awareness),
    allow_short_from_flat: bool(d.allow_short_from_flat, DEFAULT_DECISIONS.allow_short_from_flat),
    min_signal_separation: Math.max(0, num(filters.min_signal_separation ?? d.min_signal_separation, DEFAULT_DECISIONS.min_signal_separation)),
  };
}

export interface ClassifiedBars {
  /** Per bar: BUY, HOLD or SELL before the position-dependent rules. */
  action: Uint8Array;
  /** Per bar: probability of the argmax class (0 for invalid rows). */
  confidence: Float32Array;
}

/**
 * Per bar argmax + confidence. A row that already sums to 1 (±1e-4, non-negative) is taken as
 * probabilities, otherwise as logits and softmaxed (KTRDR does the same). Ties go to the lower
 * index. `valid[i] === 0` (warm-up, NaN features) gives HOLD with confidence 0.
 */
export function classifyProbabilities(
  probs: Float32Array | Float64Array,
  rows: number,
  valid: Uint8Array | null,
  confidenceThreshold: number,
): ClassifiedBars {
  if (probs.length < rows * NUM_CLASSES) throw new Error(`probabilities hold ${probs.length} values, need ${rows}×${NUM_CLASSES}`);
  const action = new Uint8Array(rows).fill(HOLD);
  const confidence = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const o = i * NUM_CLASSES;
    const a = probs[o];
    const b = probs[o + 1];
    const c = probs[o + 2];
    if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) continue;
    let best = 0;
    let top = a;
    if (b > top) {
      best = 1;
      top = b;
    }
    if (c > top) {
      best = 2;
      top = c;
    }
    let conf: number;
    const sum = a + b + c;
    if (a >= 0 && b >= 0 && c >= 0 && Math.abs(sum - 1) <= 1e-4) conf = top;
    else conf = 1 / (Math.exp(a - top) + Math.exp(b - top) + Math.exp(c - top));
    confidence[i] = conf;
    if (conf >= confidenceThreshold) action[i] = best;
  }
  return { action, confidence };
}

/**
 * The position-dependent rules for one bar. `barTime` and `lastTradeTime` are epoch ms
 * (`lastTradeTime` NaN when nothing has been executed yet).
 */
export function filterSignal(action: number, position: number, barTime: number, lastTradeTime: number, cfg: DecisionConfig): Action {
  if (action !== BUY && action !== SELL) return HOLD;
  if (lastTradeTime === lastTradeTime && barTime - lastTradeTime < cfg.min_signal_separation * HOUR_MS) return HOLD;
  if (!cfg.position_awareness) return action;
  if (position === LONG && action === BUY) return HOLD;
  if (position === SHORT && action === SELL) return HOLD;
  if (position === FLAT && action === SELL && !cfg.allow_short_from_flat) return HOLD;
  return action;
}

/**
 * Position after a signal fills: BUY opens a long from flat or covers a short; SELL closes a long
 * or opens a short from flat. There is no reversal in one step (KTRDR's position manager).
 */
export function positionAfter(position: number, signal: number): PositionSide {
  if (signal === BUY) return position === SHORT ? FLAT : LONG;
  if (signal === SELL) return position === LONG ? FLAT : SHORT;
  return position as PositionSide;
}

/** True when the position manager acts on this signal (BUY while long and SELL while short do nothing). */
export function isExecutable(position: number, signal: number): boolean {
  if (signal === BUY) return position !== LONG;
  if (signal === SELL) return position !== SHORT;
  return false;
}

/**
 * Per-bar signals from probabilities with an idealised book: every executable signal decided at bar
 * t's close fills at bar t+1's open (so the position and the separation clock change from t+1).
 * The engine reproduces this exactly unless a fill is refused (quantity 0).
 */
export function decideSignals(
  probs: Float32Array | Float64Array,
  time: Float64Array,
  valid: Uint8Array | null,
  cfg: DecisionConfig,
): Uint8Array {
  const n = time.length;
  const { action } = classifyProbabilities(probs, n, valid, cfg.confidence_threshold);
  const out = new Uint8Array(n).fill(HOLD);
  let position: number = FLAT;
  let lastTrade = NaN;
  let pending: number = HOLD;
  for (let t = 0; t < n; t++) {
    if (pending !== HOLD && isExecutable(position, pending)) {
      position = positionAfter(position, pending);
      lastTrade = time[t];
    }
    pending = HOLD;
    if (t === n - 1) break; // no next bar to fill at
    const s = filterSignal(action[t], position, time[t], lastTrade, cfg);
    out[t] = s;
    pending = s;
  }
  return out;
}
