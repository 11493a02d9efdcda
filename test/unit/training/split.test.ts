import { describe, expect, it } from 'vitest';
import { zigzagLabels } from '../../../src/core/labels';
import { mulberry32 } from '../../../src/core/random';
import { MIN_SPLIT_ROWS, normaliseRatios, splitByTime, type SplitSource } from '../../../src/worker/training/split';

const CLASSES = ['BUY', 'HOLD', 'SELL'];
const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);

/** A symbol whose rows are days from `start`, labels cycling through the classes unless given. */
function source(symbol: string, rows: number, o: { start?: number; offset?: number; horizon?: number; knownAt?: (i: number) => number; labels?: number[]; usable?: (i: number) => boolean; time?: boolean } = {}): SplitSource {
  const labels = o.labels ?? Array.from({ length: rows }, (_, i) => i % 3);
  return {
    symbol,
    rows,
    time: o.time === false ? null : Array.from({ length: rows }, (_, i) => (o.start ?? T0) + i * DAY),
    labels,
    usable: o.usable ?? (() => true),
    knownAt: o.knownAt ?? ((i) => i + (o.horizon ?? 0)),
    offset: o.offset ?? 0,
  };
}

describe('splitByTime', () => {
  const r = normaliseRatios({ train: 0.7, validation: 0.15, test: 0.15 });

  it('one symbol, no look-ahead: splits at int(N·0.7) and int(N·0.85) of its samples', () => {
    const { rows, report } = splitByTime([source('A', 20)], r, CLASSES);
    expect(rows.train).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(rows.validation).toEqual([14, 15, 16]);
    expect(rows.test).toEqual([17, 18, 19]);
    expect(report.method).toBe('time');
    expect(report.boundaries).toEqual({ validation_start: new Date(T0 + 14 * DAY).toISOString(), test_start: new Date(T0 + 17 * DAY).toISOString() });
    expect(report.embargoed).toEqual({ train: 0, validation: 0 });
    // labels cycle 0,1,2: train rows 0..13 → BUY 5, HOLD 5, SELL 4
    expect(report.label_counts.train).toEqual({ BUY: 5, HOLD: 5, SELL: 4 });
  });

  it('purges exactly the rows whose label reaches into the next split, from the earlier split', () => {
    const { rows, report } = splitByTime([source('A', 20, { horizon: 2, offset: 100 })], r, CLASSES);
    expect(rows.train).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111]);
    expect(rows.validation).toEqual([114]);
    expect(rows.test).toEqual([117, 118, 119]);
    expect(report.embargoed).toEqual({ train: 2, validation: 2 });
    expect(report.max_label_lookahead).toBe(2);
  });

  it('purges on each row’s own look-ahead, not on the longest one (a long zigzag leg does not empty validation)', () => {
    // Row 1000 looks 999 rows ahead (into the test split); every other row 1 row. A blanket embargo
    // of 999 rows would empty validation (300 rows) and cut training; the purge drops only the rows
    // that really cross: 1000 and 1399 (train, boundary 1400) and 1699 (validation, boundary 1700).
    const knownAt = (i: number) => (i === 1000 ? 1999 : i + 1);
    const { rows, report } = splitByTime([source('A', 2000, { knownAt })], r, CLASSES);
    expect(report.embargoed).toEqual({ train: 2, validation: 1 });
    expect(rows.train).not.toContain(1000);
    expect(rows.train.length).toBe(1400 - 2);
    expect(rows.validation.length).toBe(300 - 1);
    expect(report.max_label_lookahead).toBe(999);
  });

  it('places the boundaries at instants shared by every symbol (no symbol’s test period in another’s training)', () => {
    // A: 2020-01-01 + 100 days; B starts 50 days later, 100 days. Pooled samples: 200.
    const a = source('A', 100);
    const b = source('B', 100, { start: T0 + 50 * DAY, offset: 100 });
    const { rows, report } = splitByTime([a, b], r, CLASSES);
    const t1 = Date.parse(report.boundaries.validation_start!);
    const t2 = Date.parse(report.boundaries.test_start!);
    const timeOf = (row: number) => (row < 100 ? T0 + row * DAY : T0 + 50 * DAY + (row - 100) * DAY);
    for (const row of rows.train) expect(timeOf(row)).toBeLessThan(t1);
    for (const row of rows.validation) expect(timeOf(row) >= t1 && timeOf(row) < t2).toBe(true);
    for (const row of rows.test) expect(timeOf(row)).toBeGreaterThanOrEqual(t2);
    // pooled sorted times: the 140th sample (int(200·0.7)) is day 95 (A 0..94 and B 50..94 → 95 + 45 = 140)
    expect(t1).toBe(T0 + 95 * DAY);
    expect(report.per_symbol).toEqual({ A: { train: 95, validation: 5, test: 0 }, B: { train: 45, validation: 25, test: 30 } });
    expect(rows.train.length + rows.validation.length + rows.test.length).toBe(200);
  });

  it('without row times each symbol is split by its own positions', () => {
    const { report } = splitByTime([source('A', 20, { time: false })], r, CLASSES);
    expect(report.method).toBe('position');
    expect(report.rows).toEqual({ train: 14, validation: 3, test: 3 });
  });

  it('warns on empty, tiny and one-class splits, with the embargo as the cause', () => {
    // 200 rows whose labels all look 100 rows ahead: validation (30 rows) is purged entirely.
    const { report } = splitByTime([source('A', 200, { horizon: 100 })], r, CLASSES);
    const byKind = (split: string) => report.warnings.filter((w) => w.split === split).map((w) => w.kind);
    expect(report.rows.validation).toBe(0);
    expect(byKind('validation')).toEqual(['empty']);
    expect(report.warnings.find((w) => w.split === 'validation')!.message).toMatch(/empty \(30 of its rows were embargoed because their labels look into the next split\)/);
    expect(byKind('test')).toEqual(['tiny']);
    const oneClass = splitByTime([source('A', 1000, { labels: Array.from({ length: 1000 }, (_, i) => (i < 850 ? i % 3 : 2)) })], r, CLASSES).report;
    expect(oneClass.warnings).toEqual([expect.objectContaining({ split: 'test', kind: 'one_class', rows: 150 })]);
    expect(oneClass.warnings[0].message).toMatch(/Every test label is SELL/);
    expect(MIN_SPLIT_ROWS).toBe(100);
  });

  it('skips unusable rows before placing the boundaries', () => {
    const { rows } = splitByTime([source('A', 20, { usable: (i) => i % 2 === 0 })], normaliseRatios({ train: 0.5, validation: 0.3, test: 0.2 }), CLASSES);
    expect(rows).toEqual({ train: [0, 2, 4, 6, 8], validation: [10, 12, 14], test: [16, 18] });
  });

  it('fills the test share with the remainder and rejects nonsense ratios', () => {
    expect(normaliseRatios({ train: 0.8, validation: 0.1 }).test).toBeCloseTo(0.1, 12);
    expect(() => normaliseRatios({ train: 0, validation: 0.5 })).toThrow(/Invalid data_split/);
  });
});

describe('zigzag label knowledge times (the purge’s input)', () => {
  it('each label is known exactly at the first bar from which the labels of the prefix give it for good', () => {
    const u = mulberry32(3);
    const close = new Float64Array(300);
    close[0] = 100;
    for (let i = 1; i < close.length; i++) close[i] = close[i - 1] * (1 + (u() - 0.5) * 0.01);
    const full = zigzagLabels(close, 0.02);
    let checked = 0;
    for (let i = 0; i < close.length; i++) {
      if (full.labels[i] < 0) continue;
      let settled = -1;
      for (let j = i; j < close.length; j++) {
        const prefix = zigzagLabels(close.subarray(0, j + 1), 0.02).labels[i];
        if (prefix !== full.labels[i]) settled = -1;
        else if (settled < 0) settled = j;
      }
      expect(full.knownAt[i], `row ${i}`).toBe(settled);
      checked++;
    }
    expect(checked).toBeGreaterThan(250);
    expect(full.horizon).toBe(Math.max(...Array.from(full.knownAt, (k, i) => (k >= 0 ? k - i : 0))));
  });
});
