import { describe, expect, it } from 'vitest';
import { addDuration, overlappingTestWindows, parseWindow, planWalkForward, windowLength } from '../../../src/core/experiments/windows';
import { applyParams, checkPaths, parseSpace } from '../../../src/core/experiments/space';
import { parameterImportance, stability, stitchEquity } from '../../../src/core/experiments/aggregate';

const H = 3_600_000;
const D = 86_400_000;

describe('walk-forward windows', () => {
  it('parses durations and bar counts, refuses the rest', () => {
    expect(parseWindow('3y')).toEqual({ kind: 'duration', amount: 3, unit: 'y' });
    expect(parseWindow('6M')).toEqual({ kind: 'duration', amount: 6, unit: 'M' });
    expect(parseWindow('30d')).toEqual({ kind: 'duration', amount: 30, unit: 'd' });
    expect(parseWindow(500)).toEqual({ kind: 'bars', bars: 500 });
    expect(parseWindow('500b')).toEqual({ kind: 'bars', bars: 500 });
    for (const bad of ['3x', '', '-1d', 0, 1.5, '0d', null]) expect(parseWindow(bad)).toBeNull();
    expect(addDuration(Date.UTC(2020, 0, 15), { kind: 'duration', amount: 6, unit: 'M' })).toBe(Date.UTC(2020, 6, 15));
    expect(addDuration(Date.UTC(2020, 1, 29), { kind: 'duration', amount: 1, unit: 'y' })).toBe(Date.UTC(2021, 2, 1));
  });

  it('rolling bar-count folds: test strictly after train, after the embargo, no partial fold', () => {
    const times = Array.from({ length: 100 }, (_, i) => i * H);
    const folds = planWalkForward(times, H, { train: { kind: 'bars', bars: 40 }, test: { kind: 'bars', bars: 20 }, embargoBars: 2 });
    // fold 0: train [0,40) test [42,62); fold 1: train [20,60) test [62,82); fold 2: train [40,80) test [82,102) ✗
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [0, 40, 42, 62],
      [20, 60, 62, 82],
    ]);
    for (const f of folds) {
      expect(f.test_start).toBeGreaterThan(f.train_end);
      expect(f.test_start - f.train_end).toBe(3 * H); // last train bar 39, embargo 40-41, test from 42
    }
  });

  it('anchored folds keep the start and grow the training window', () => {
    const times = Array.from({ length: 100 }, (_, i) => i * H);
    const folds = planWalkForward(times, H, { train: { kind: 'bars', bars: 40 }, test: { kind: 'bars', bars: 20 }, anchored: true });
    expect(folds.map((f) => [f.train.start, f.train.end, f.test.start, f.test.end])).toEqual([
      [0, 40, 40, 60],
      [0, 60, 60, 80],
      [0, 80, 80, 100],
    ]);
  });

  it('duration windows follow the calendar over gaps (weekend bars missing)', () => {
    // Daily bars for 2020 without Saturdays/Sundays.
    const times: number[] = [];
    for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2021, 0, 1); t += D) if (![0, 6].includes(new Date(t).getUTCDay())) times.push(t);
    const folds = planWalkForward(times, D, { train: parseWindow('6M')!, test: parseWindow('2M')! });
    expect(folds.length).toBe(3); // tests Jul–Aug, Sep–Oct, Nov–Dec
    expect(new Date(folds[0].test_start).toISOString().slice(0, 10)).toBe('2020-07-01');
    expect(new Date(folds[2].test_end).toISOString().slice(0, 10)).toBe('2020-12-31');
    for (let k = 1; k < folds.length; k++) expect(folds[k].test_start).toBeGreaterThan(folds[k - 1].test_end);
  });
});

/** FX-like hourly bars: Sunday 22:00 to Friday 21:00 UTC, between two instants. */
function fxHours(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += H) {
    const d = new Date(t);
    const day = d.getUTCDay();
    const h = d.getUTCHours();
    if (day === 6 || (day === 0 && h < 22) || (day === 5 && h > 21)) continue;
    out.push(t);
  }
  return out;
}

describe('walk-forward grid (issue 22.5) and overlapping folds (22.4)', () => {
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  // EURUSD-like: first bar Sunday 3 Jan 2010 22:00, last bar Wednesday 31 Dec 2014 21:00.
  const times = fxHours(Date.UTC(2010, 0, 3, 22), Date.UTC(2014, 11, 31, 21));
  const spec = { train: parseWindow('2y')!, test: parseWindow('1y')! };

  it('anchors the calendar at the requested start: 2010-01-01..2014-12-31 with 2y/1y has three folds', () => {
    const folds = planWalkForward(times, H, { ...spec, rangeStart: Date.UTC(2010, 0, 1), rangeEnd: Date.UTC(2015, 0, 1) });
    expect(folds.map((f) => [iso(f.train_start), iso(f.test_start), iso(f.test_end)])).toEqual([
      ['2010-01-03', '2012-01-01', '2012-12-31'],
      ['2011-01-02', '2013-01-01', '2013-12-31'],
      ['2012-01-01', '2014-01-01', '2014-12-31'],
    ]);
    // The last test window ends at the requested (inclusive) end date: its last bar is the data's last.
    expect(folds[2].test.end).toBe(times.length);
  });

  it('falls back to the bars when the data starts later or ends earlier than the request by more than a closure', () => {
    // Requested from 2009: the data starts a year later, so the grid starts at the first bar.
    const late = planWalkForward(times, H, { ...spec, rangeStart: Date.UTC(2009, 0, 1), rangeEnd: Date.UTC(2015, 0, 1) });
    expect(iso(late[0].train_start)).toBe('2010-01-03');
    expect(iso(late[0].test_start)).toBe('2012-01-03');
    // Requested until mid-2015: the data ends in December 2014, so no window may end after the last bar.
    const short = planWalkForward(times, H, { ...spec, rangeStart: Date.UTC(2010, 0, 1), rangeEnd: Date.UTC(2015, 6, 1) });
    expect(short.length).toBe(2);
  });

  it('finds overlapping test windows (a step shorter than the test window)', () => {
    const ok = planWalkForward(times, H, { ...spec, rangeStart: Date.UTC(2010, 0, 1), rangeEnd: Date.UTC(2015, 0, 1) });
    expect(overlappingTestWindows(ok)).toBeNull();
    const overlapping = planWalkForward(times, H, { ...spec, step: parseWindow('6M'), rangeStart: Date.UTC(2010, 0, 1), rangeEnd: Date.UTC(2015, 0, 1) });
    const pair = overlappingTestWindows(overlapping);
    expect(pair).not.toBeNull();
    expect(pair![1].test.start).toBeLessThan(pair![0].test.end);
    expect(windowLength(parseWindow('6M')!)).toBeLessThan(windowLength(parseWindow('9M')!));
    expect(windowLength(parseWindow('12M')!)).toBe(windowLength(parseWindow('1y')!));
  });
});

describe('search space and strategy paths', () => {
  const yaml = `name: s
indicators:
  rsi_14:
    type: rsi
    period: 14 # the classic
listed:
  - id: ema_9
    period: 9
model:
  architecture:
    hidden_layers: [50, 25]
training:
  learning_rate: 0.001
`;

  it('validates specs and names the field', () => {
    const { space, problems } = parseSpace({ 'indicators.rsi_14.period': { min: 5, max: 30, step: 5 }, 'training.learning_rate': { min: 0.0001, max: 0.01, log: true }, x: { min: 3, max: 1 } });
    expect(space['indicators.rsi_14.period']).toEqual({ kind: 'int', low: 5, high: 30, log: false, step: 5 });
    expect(space['training.learning_rate']).toMatchObject({ kind: 'float', log: true });
    expect(problems).toEqual([{ field: 'space.x.max', message: 'must be greater than min (3)' }]);
  });

  it('sets map keys, list items by id, new leaves; keeps comments; reports missing paths', () => {
    const out = applyParams(yaml, { 'indicators.rsi_14.period': 21, 'listed.ema_9.period': 12, 'model.architecture.hidden_layers': [64, 32], 'training.epochs': 2 });
    expect(out).toContain('period: 21 # the classic');
    expect(out).toMatch(/- id: ema_9\n\s+period: 12/);
    expect(out).toContain('hidden_layers:');
    expect(out).toMatch(/epochs: 2/);
    const { space } = parseSpace({ 'indicators.rsi_99.period': { values: [1] }, 'listed.0.period': { values: [1] } });
    expect(checkPaths(yaml, space)).toEqual([{ field: 'space.indicators.rsi_99.period', message: "not in the strategy: 'rsi_99' not found under indicators" }]);
  });
});

describe('aggregation', () => {
  it('stitched equity ends at the compounded fold returns', () => {
    const s = stitchEquity(
      [
        { time: [1, 2], values: [110, 120], initial_capital: 100 }, // +20 %
        { time: [3, 4], values: [900, 900], initial_capital: 1000 }, // −10 %
        { time: [5], values: [1.05], initial_capital: 1 }, // +5 %
      ],
      10_000,
    );
    expect(s.final_equity).toBeCloseTo(10_000 * 1.2 * 0.9 * 1.05, 9);
    expect(s.values).toEqual([11_000, 12_000, 10_800, 10_800, 11_340].map((v) => expect.closeTo(v, 9)) as unknown as number[]);
    expect(s.fold).toEqual([0, 0, 1, 1, 2]);
  });

  it('stability: mean, sample std and share of positive folds over the defined values only; a null is left out and counted, never added as 0', () => {
    // [0.1, −0.05, 0.05]: mean 0.0333; deviations .0667, −.0833, .0167; Σ² = .011667; /2 → std .076376
    // (with the null as 0 the mean would be 0.025 and the std .0645).
    const s = stability([0.1, -0.05, 0.05, null], 'none');
    expect(s.folds).toBe(3);
    expect(s.excluded).toBe(1);
    expect(s.mean).toBeCloseTo(0.033333, 6);
    expect(s.std).toBeCloseTo(0.076376, 6);
    expect(s.min).toBe(-0.05);
    expect(s.positive_share).toBeCloseTo(2 / 3, 12);
    expect(s.null_reasons).toEqual({});
  });

  it('stability: no defined value is null with the reason; one value has no spread, and says why', () => {
    const none = stability([null, null], 'no fold has a defined Sharpe ratio');
    expect(none).toMatchObject({ folds: 0, excluded: 2, mean: null, std: null, min: null, max: null, positive_share: null });
    expect(none.null_reasons.mean).toBe('no fold has a defined Sharpe ratio');
    const one = stability([0.4, null], 'x');
    expect(one).toMatchObject({ folds: 1, excluded: 1, mean: 0.4, std: null, min: 0.4, max: 0.4, positive_share: 1 });
    expect(one.null_reasons.std).toMatch(/at least two folds/);
  });

  it('importance: mean objective per value and the spread', () => {
    const trials = [
      { number: 0, params: { a: 1, b: 'x' }, objective: 0.5 },
      { number: 1, params: { a: 1, b: 'y' }, objective: 0.7 },
      { number: 2, params: { a: 2, b: 'x' }, objective: 0.1 },
      { number: 3, params: { a: 2, b: 'y' }, objective: 0.3 },
    ];
    const imp = parameterImportance(trials, ['a', 'b']);
    expect(imp[0].path).toBe('a'); // a: 0.6 vs 0.2 → 0.4; b: 0.3 vs 0.5 → 0.2
    expect(imp[0].spread).toBeCloseTo(0.4, 12);
    expect(imp[1].spread).toBeCloseTo(0.2, 12);
    expect(imp[0].points).toHaveLength(4);
  });
});
