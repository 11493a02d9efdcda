import { describe, expect, it } from 'vitest';
import {
  BUY,
  classifyProbabilities,
  decideSignals,
  DEFAULT_DECISIONS,
  FLAT,
  filterSignal,
  HOLD,
  LONG,
  resolveDecisionConfig,
  SELL,
  SHORT,
} from '../../../src/core/backtest/decisions';
import { engineConfig, runBacktest } from '../../../src/core/backtest/engine';
import { barsFrom, HOUR, randomBars, randomProbabilities, script, T0 } from './helpers';

describe('classifyProbabilities', () => {
  const rows = [
    [0.5, 0.3, 0.2], // BUY at exactly the threshold: ≥ passes
    [0.49, 0.3, 0.21], // below the threshold → HOLD
    [0.1, 0.2, 0.7], // SELL
    [2, 1, 0], // logits: softmax → e²/(e²+e+1)
    [0.2, 0.6, 0.2], // HOLD wins
    [0.9, 0.05, 0.05], // marked invalid (warm-up)
    [NaN, 0.5, 0.5], // NaN → HOLD
    [0.45, 0.45, 0.1], // tie → lower index (BUY), but below 0.5
  ];
  const probs = new Float32Array(rows.flat());
  const valid = new Uint8Array([1, 1, 1, 1, 1, 0, 1, 1]);
  const { action, confidence } = classifyProbabilities(probs, rows.length, valid, 0.5);

  it('applies argmax and the confidence threshold (≥ passes)', () => {
    expect(Array.from(action)).toEqual([BUY, HOLD, SELL, BUY, HOLD, HOLD, HOLD, HOLD]);
    expect(confidence[0]).toBeCloseTo(0.5, 6);
    expect(confidence[1]).toBeCloseTo(0.49, 6);
    expect(confidence[2]).toBeCloseTo(0.7, 6);
  });

  it('softmaxes logits', () => {
    const e = Math.E;
    expect(confidence[3]).toBeCloseTo((e * e) / (e * e + e + 1), 6);
  });

  it('gives HOLD with confidence 0 for invalid and non-finite rows', () => {
    expect(confidence[5]).toBe(0);
    expect(confidence[6]).toBe(0);
  });

  it('breaks ties towards the lower class index', () => {
    const r = classifyProbabilities(new Float32Array([0.45, 0.45, 0.1]), 1, null, 0.4);
    expect(r.action[0]).toBe(BUY);
  });

  it('refuses a buffer shorter than rows × 3', () => {
    expect(() => classifyProbabilities(new Float32Array(5), 2, null, 0.5)).toThrow(/rows|need/);
  });
});

describe('filterSignal', () => {
  const cfg = { ...DEFAULT_DECISIONS, min_signal_separation: 0 };

  it('applies position awareness: no BUY while long, no SELL while short', () => {
    expect(filterSignal(BUY, LONG, 0, NaN, cfg)).toBe(HOLD);
    expect(filterSignal(SELL, SHORT, 0, NaN, cfg)).toBe(HOLD);
    expect(filterSignal(SELL, LONG, 0, NaN, cfg)).toBe(SELL);
    expect(filterSignal(BUY, SHORT, 0, NaN, cfg)).toBe(BUY);
    expect(filterSignal(BUY, FLAT, 0, NaN, cfg)).toBe(BUY);
  });

  it('is long-only unless allow_short_from_flat', () => {
    expect(filterSignal(SELL, FLAT, 0, NaN, cfg)).toBe(HOLD);
    expect(filterSignal(SELL, FLAT, 0, NaN, { ...cfg, allow_short_from_flat: true })).toBe(SELL);
  });

  it('passes the raw signal through without position awareness', () => {
    const off = { ...cfg, position_awareness: false };
    expect(filterSignal(SELL, FLAT, 0, NaN, off)).toBe(SELL);
    expect(filterSignal(BUY, LONG, 0, NaN, off)).toBe(BUY);
  });

  it('drops signals within min_signal_separation hours of the last trade', () => {
    const sep = { ...cfg, min_signal_separation: 4 };
    expect(filterSignal(SELL, LONG, 3 * HOUR + 59 * 60_000, 0, sep)).toBe(HOLD);
    expect(filterSignal(SELL, LONG, 4 * HOUR, 0, sep)).toBe(SELL);
  });

  it('reads a strategy decisions section with KTRDR defaults', () => {
    expect(resolveDecisionConfig(undefined)).toEqual(DEFAULT_DECISIONS);
    expect(resolveDecisionConfig({ confidence_threshold: 0.6, allow_short_from_flat: true, filters: { min_signal_separation: 2 } })).toEqual({
      confidence_threshold: 0.6,
      position_awareness: true,
      allow_short_from_flat: true,
      min_signal_separation: 2,
    });
  });
});

describe('decideSignals and the engine agree on the rules', () => {
  it('min_signal_separation: hourly bars, 4 h after the fill at bar 1', () => {
    const n = 10;
    const time = Float64Array.from({ length: n }, (_, i) => T0 + i * HOUR);
    // BUY at t0, then SELL on every bar.
    const probs = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) probs.set(i === 0 ? [0.9, 0.05, 0.05] : [0.05, 0.05, 0.9], i * 3);
    const cfg = { ...DEFAULT_DECISIONS, min_signal_separation: 4 };
    const signals = decideSignals(probs, time, null, cfg);
    // Fill at bar 1 (T0+1h); SELLs at t1..t4 are < 4 h later; t5 is exactly 4 h → taken.
    expect(Array.from(signals)).toEqual([BUY, HOLD, HOLD, HOLD, HOLD, SELL, HOLD, HOLD, HOLD, HOLD]);

    const flat = barsFrom(Array.from({ length: n }, () => [10, 10, 10, 10] as [number, number, number, number]), HOUR);
    const { action, confidence } = classifyProbabilities(probs, n, null, cfg.confidence_threshold);
    const r = runBacktest(flat, { action, confidence }, engineConfig({ bar_ms: HOUR, decisions: cfg }));
    expect(Array.from(r.signals)).toEqual(Array.from(signals));
    expect(r.trades.map((t) => [t.entry_bar, t.exit_bar])).toEqual([[1, 6]]);
  });

  it('the confidence threshold removes trades', () => {
    const bars = barsFrom(Array.from({ length: 6 }, () => [10, 10, 10, 10] as [number, number, number, number]), HOUR);
    const s = script('B.S...', [0.55, 0.9, 0.55]);
    const low = runBacktest(bars, s, engineConfig({ bar_ms: HOUR, decisions: { ...DEFAULT_DECISIONS, min_signal_separation: 0 } }));
    expect(low.trades).toHaveLength(1);
    const { action, confidence } = classifyProbabilities(new Float32Array([0.55, 0.4, 0.05, 0.3, 0.4, 0.3, 0.05, 0.4, 0.55]), 3, null, 0.6);
    expect(Array.from(action)).toEqual([HOLD, HOLD, HOLD]);
    expect(confidence[0]).toBeCloseTo(0.55, 6);
  });

  it('on random inputs the engine takes exactly decideSignals’ signals when every fill succeeds', () => {
    const n = 2000;
    const bars = randomBars(n, 7);
    const probs = randomProbabilities(n, 8);
    for (const cfg of [
      { ...DEFAULT_DECISIONS },
      { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 2 },
      { ...DEFAULT_DECISIONS, position_awareness: false, confidence_threshold: 0.7 },
    ]) {
      const { action, confidence } = classifyProbabilities(probs, n, null, cfg.confidence_threshold);
      const r = runBacktest(bars, { action, confidence }, engineConfig({ bar_ms: HOUR, decisions: cfg }));
      expect(Array.from(r.signals)).toEqual(Array.from(decideSignals(probs, bars.time, null, cfg)));
      expect(r.trades.length).toBeGreaterThan(10);
    }
  });
});
