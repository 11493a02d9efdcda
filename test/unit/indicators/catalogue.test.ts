// Generic contract of every registered indicator: outputs, documented warm-up = leading NaNs, finite values
// after the warm-up (also with all-zero volume and flat bars), registry lookup and parameter resolution.
import { describe, expect, it } from 'vitest';
import { emptyBars } from '../../../src/core/bars/types';
import {
  INDICATORS,
  IndicatorError,
  computeIndicator,
  getIndicator,
  outputWarmups,
  resolveParams,
} from '../../../src/core/indicators/registry';
import { leadingNaNs } from './fixtures';
import { randomWalkBars } from './synthetic';
import { paramVariants } from './variants';

const KTRDR_TYPES = [
  'adline', 'adx', 'aroon', 'atr', 'bbands', 'bollingerbandwidth', 'cci', 'cmf', 'distancefromma', 'donchianchannels',
  'ema', 'fishertransform', 'ichimoku', 'keltnerchannels', 'macd', 'mfi', 'momentum', 'obv', 'parabolicsar', 'roc',
  'rsi', 'rvi', 'sma', 'squeezeintensity', 'stochastic', 'supertrend', 'volumeratio', 'vwap', 'wma', 'williamsr', 'zigzag',
];

describe('catalogue', () => {
  it('has the whole KTRDR catalogue and at least 50 indicators with unique lower-case types', () => {
    const types = INDICATORS.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) expect(t).toMatch(/^[a-z0-9]+$/);
    for (const t of KTRDR_TYPES) expect(types, t).toContain(t);
    expect(types.length).toBeGreaterThanOrEqual(50);
  });

  it('every default lies inside its own range and choices', () => {
    for (const def of INDICATORS) {
      const { problems } = resolveParams(def, Object.fromEntries(def.params.map((p) => [p.name, p.default])));
      expect(problems, def.type).toEqual([]);
      expect(def.outputs.length, def.type).toBeGreaterThan(0);
    }
  });
});

describe('getIndicator', () => {
  it.each([
    ['RSIIndicator', 'rsi'],
    ['rsi', 'rsi'],
    ['RSI', 'rsi'],
    ['BollingerBands', 'bbands'],
    ['BollingerBandsIndicator', 'bbands'],
    ['bollingerbands', 'bbands'],
    ['MACDIndicator', 'macd'],
    ['ExponentialMovingAverage', 'ema'],
    ['SimpleMovingAverage', 'sma'],
    ['WeightedMovingAverage', 'wma'],
    ['WilliamsRIndicator', 'williamsr'],
    ['willr', 'williamsr'],
    ['mom', 'momentum'],
    ['ADLineIndicator', 'adline'],
    ['DonchianChannelsIndicator', 'donchianchannels'],
    ['SuperTrendIndicator', 'supertrend'],
    ['ZigZagIndicator', 'zigzag'],
    ['ParabolicSARIndicator', 'parabolicsar'],
    ['IchimokuIndicator', 'ichimoku'],
  ])('%s → %s', (name, type) => {
    expect(getIndicator(name)?.type).toBe(type);
  });

  it('returns undefined for unknown names', () => {
    expect(getIndicator('nosuchthing')).toBeUndefined();
    expect(getIndicator('indicator')).toBeUndefined();
  });
});

describe('resolveParams', () => {
  const rsi = getIndicator('rsi')!;
  const macd = getIndicator('macd')!;

  it('fills defaults', () => {
    expect(resolveParams(macd, {}).params).toEqual({ fast_period: 12, slow_period: 26, signal_period: 9, source: 'close' });
  });

  it('reports type, range and choice problems by parameter name', () => {
    const { problems, params } = resolveParams(rsi, { period: 1.5, source: 'vwap' });
    expect(problems.map((p) => [p.param, p.severity])).toEqual([
      ['period', 'error'],
      ['source', 'error'],
    ]);
    expect(params.period).toBe(14); // falls back to the default
    expect(resolveParams(rsi, { period: 1000 }).problems[0].message).toMatch(/period must be ≤ 100/);
    expect(resolveParams(rsi, { period: 'abc' }).problems[0].message).toMatch(/integer/);
  });

  it('normalises choices case-insensitively and accepts numeric strings', () => {
    const dfm = getIndicator('distancefromma')!;
    expect(resolveParams(dfm, { ma_type: 'ema', period: '10' })).toEqual({
      params: { period: 10, ma_type: 'EMA', source: 'close' },
      problems: [],
    });
  });

  it('warns about unknown keys (KTRDR `adjust` on ema) without failing', () => {
    const { problems } = resolveParams(getIndicator('ema')!, { period: 10, adjust: true });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ param: 'adjust', severity: 'warning' });
    expect(() => computeIndicator('ema', randomWalkBars(50), { adjust: true })).not.toThrow();
  });

  it('runs cross-parameter checks', () => {
    const { problems } = resolveParams(getIndicator('parabolicsar')!, { initial_af: 0.1, max_af: 0.05 });
    expect(problems).toEqual([{ param: 'initial_af', message: 'initial_af must be ≤ max_af', severity: 'error' }]);
  });

  it('computeIndicator refuses unknown types and bad params with IndicatorError', () => {
    const bars = randomWalkBars(30);
    expect(() => computeIndicator('nope', bars)).toThrow(/Unknown indicator type 'nope'/);
    expect(() => computeIndicator('rsi', bars, { period: 0 })).toThrow(IndicatorError);
  });
});

const N = 500;
const CASES = [
  ['random walk', randomWalkBars(N, { seed: 1 })],
  ['zero volume (FX sample files)', randomWalkBars(N, { seed: 2, volume: 'zero' })],
  ['flat runs with zero-volume stretches', randomWalkBars(N, { seed: 5, flatRuns: true, volume: 'mixed' })],
] as const;

describe('warm-up and finiteness of every indicator', () => {
  for (const def of INDICATORS) {
    for (const raw of paramVariants(def)) {
      it(`${def.type} ${JSON.stringify(raw)}`, () => {
        const { params } = resolveParams(def, raw);
        const perOutput = outputWarmups(def, raw);
        expect(Object.keys(perOutput).sort()).toEqual([...def.outputs].sort());
        expect(def.warmup(params)).toBe(Math.max(...Object.values(perOutput)));
        for (const [label, bars] of CASES) {
          const out = computeIndicator(def.type, bars, raw);
          expect(Object.keys(out).sort(), label).toEqual([...def.outputs].sort());
          for (const name of def.outputs) {
            const series = out[name];
            expect(series.length).toBe(N);
            expect(leadingNaNs(series), `${def.type}.${name} leading NaNs (${label})`).toBe(perOutput[name]);
            for (let i = perOutput[name]; i < N; i++)
              if (!Number.isFinite(series[i])) expect.fail(`${def.type}.${name}[${i}] = ${series[i]} (${label})`);
          }
        }
      });
    }
  }

  it('series shorter than the warm-up are all NaN, and empty series work', () => {
    for (const def of INDICATORS) {
      const { params } = resolveParams(def, {});
      const w = def.warmup(params);
      const short = randomWalkBars(Math.max(0, Math.min(w, 5)), { seed: 9 });
      const out = computeIndicator(def.type, short, {});
      const perOutput = outputWarmups(def, {});
      for (const name of def.outputs) {
        expect(out[name].length).toBe(short.close.length);
        if (perOutput[name] >= short.close.length) expect(out[name].every(Number.isNaN), `${def.type}.${name}`).toBe(true);
      }
      const empty = computeIndicator(def.type, emptyBars('X', '1h'), {});
      for (const name of def.outputs) expect(empty[name].length, def.type).toBe(0);
    }
  });
});
