// Moving averages: SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA, T3 (TA-Lib definitions) and HMA.
import { emaChain, emaInto, nanArray, smaInto, wmaInto } from '../kernels';
import { floatParam, intParam, num, selectSource, sourceParam, str, type Params } from '../params';
import type { BarSeries } from '../../bars/types';
import type { IndicatorDefinition } from '../types';
import { VALUE } from './common';

const src = (bars: BarSeries, p: Params) => selectSource(bars, str(p, 'source'));

export const sma: IndicatorDefinition = {
  type: 'sma',
  aliases: ['simplemovingaverage'],
  name: 'Simple Moving Average',
  description: 'Arithmetic mean of the last `period` values.',
  category: 'trend',
  params: [intParam('period', 20, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const out = nanArray(x.length);
    smaInto(x, num(p, 'period'), out);
    return { [VALUE]: out };
  },
};

export const ema: IndicatorDefinition = {
  type: 'ema',
  aliases: ['exponentialmovingaverage'],
  name: 'Exponential Moving Average',
  description: 'EMA with α = 2/(period+1), seeded with the SMA of the first `period` values (TA-Lib).',
  category: 'trend',
  params: [intParam('period', 20, 1, 500, 'Span in bars (α = 2/(period+1))'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const out = nanArray(x.length);
    emaInto(x, num(p, 'period'), out);
    return { [VALUE]: out };
  },
  notes:
    'KTRDR defaults to pandas ewm(adjust=True), defined from row 0 with no warm-up; we use TA-Lib\'s SMA-seeded EMA ' +
    '(first value at period-1). KTRDR\'s `adjust` key is reported as an ignored parameter.',
};

export const wma: IndicatorDefinition = {
  type: 'wma',
  aliases: ['weightedmovingaverage'],
  name: 'Weighted Moving Average',
  description: 'Linearly weighted mean of the last `period` values (newest weight = period).',
  category: 'trend',
  params: [intParam('period', 20, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const out = nanArray(x.length);
    wmaInto(x, num(p, 'period'), out);
    return { [VALUE]: out };
  },
};

export const dema: IndicatorDefinition = {
  type: 'dema',
  name: 'Double Exponential Moving Average',
  description: '2·EMA(x) − EMA(EMA(x)), each EMA SMA-seeded (TA-Lib).',
  category: 'trend',
  params: [intParam('period', 30, 2, 500, 'EMA span'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => 2 * (num(p, 'period') - 1),
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const [e1, e2] = emaChain(x, period, 2);
    const out = nanArray(n);
    for (let i = 2 * (period - 1); i < n; i++) out[i] = 2.0 * e1[i] - e2[i];
    return { [VALUE]: out };
  },
};

export const tema: IndicatorDefinition = {
  type: 'tema',
  name: 'Triple Exponential Moving Average',
  description: '3·EMA1 − 3·EMA2 + EMA3 with EMA2 = EMA(EMA1), EMA3 = EMA(EMA2) (TA-Lib).',
  category: 'trend',
  params: [intParam('period', 30, 2, 500, 'EMA span'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => 3 * (num(p, 'period') - 1),
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const [e1, e2, e3] = emaChain(x, period, 3);
    const out = nanArray(n);
    for (let i = 3 * (period - 1); i < n; i++) out[i] = e3[i] + (3.0 * e1[i] - 3.0 * e2[i]);
    return { [VALUE]: out };
  },
};

export const trima: IndicatorDefinition = {
  type: 'trima',
  name: 'Triangular Moving Average',
  description: 'SMA of an SMA (triangular weights), TA-Lib periods: odd n → m=(n+1)/2 twice; even → n/2 then n/2+1.',
  category: 'trend',
  params: [intParam('period', 30, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const a = period % 2 === 1 ? (period + 1) / 2 : period / 2;
    const b = period % 2 === 1 ? a : a + 1;
    const first = nanArray(n);
    smaInto(x, a, first);
    const out = nanArray(n);
    smaInto(first, b, out, a - 1);
    return { [VALUE]: out };
  },
};

export const kama: IndicatorDefinition = {
  type: 'kama',
  name: 'Kaufman Adaptive Moving Average',
  description: 'EMA whose α follows the efficiency ratio |Δ_n| / Σ|Δ_1|, between 2/31 and 2/3 (TA-Lib).',
  category: 'trend',
  params: [intParam('period', 30, 2, 500, 'Efficiency-ratio window'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const out = nanArray(n);
    if (period >= n) return { [VALUE]: out };
    const constMax = 2.0 / (30.0 + 1.0);
    const constDiff = 2.0 / (2.0 + 1.0) - constMax;
    let sumRoc = 0;
    for (let i = 0; i < period; i++) sumRoc += Math.abs(x[i] - x[i + 1]);
    let prev = x[period - 1];
    let trail = 0;
    let trailingValue = 0;
    for (let t = period; t < n; t++) {
      const v = x[t];
      const old = x[trail++];
      const periodRoc = v - old;
      if (t > period) {
        sumRoc -= Math.abs(trailingValue - old);
        sumRoc += Math.abs(v - x[t - 1]);
      }
      trailingValue = old;
      let er: number;
      if (sumRoc <= periodRoc || (sumRoc > -1e-14 && sumRoc < 1e-14)) er = 1.0;
      else er = Math.abs(periodRoc / sumRoc);
      let sc = er * constDiff + constMax;
      sc *= sc;
      prev = (v - prev) * sc + prev;
      out[t] = prev;
    }
    return { [VALUE]: out };
  },
};

export const t3: IndicatorDefinition = {
  type: 't3',
  name: 'Tillson T3',
  description: 'Six cascaded EMAs combined with volume factor v (TA-Lib seeding).',
  category: 'trend',
  params: [intParam('period', 5, 2, 200, 'EMA span'), floatParam('vfactor', 0.7, 0, 1, 'Volume factor'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => 6 * (num(p, 'period') - 1),
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const v = num(p, 'vfactor');
    const out = nanArray(n);
    const lookback = 6 * (period - 1);
    if (lookback >= n) return { [VALUE]: out };
    const k = 2.0 / (period + 1.0);
    const k1 = 1.0 - k;
    let today = 0;
    let acc = x[today++];
    for (let i = period - 1; i > 0; i--) acc += x[today++];
    let e1 = acc / period;
    acc = e1;
    for (let i = period - 1; i > 0; i--) {
      e1 = k * x[today++] + k1 * e1;
      acc += e1;
    }
    let e2 = acc / period;
    acc = e2;
    for (let i = period - 1; i > 0; i--) {
      e1 = k * x[today++] + k1 * e1;
      e2 = k * e1 + k1 * e2;
      acc += e2;
    }
    let e3 = acc / period;
    acc = e3;
    for (let i = period - 1; i > 0; i--) {
      e1 = k * x[today++] + k1 * e1;
      e2 = k * e1 + k1 * e2;
      e3 = k * e2 + k1 * e3;
      acc += e3;
    }
    let e4 = acc / period;
    acc = e4;
    for (let i = period - 1; i > 0; i--) {
      e1 = k * x[today++] + k1 * e1;
      e2 = k * e1 + k1 * e2;
      e3 = k * e2 + k1 * e3;
      e4 = k * e3 + k1 * e4;
      acc += e4;
    }
    let e5 = acc / period;
    acc = e5;
    for (let i = period - 1; i > 0; i--) {
      e1 = k * x[today++] + k1 * e1;
      e2 = k * e1 + k1 * e2;
      e3 = k * e2 + k1 * e3;
      e4 = k * e3 + k1 * e4;
      e5 = k * e4 + k1 * e5;
      acc += e5;
    }
    let e6 = acc / period;
    const vv = v * v;
    const c1 = -(vv * v);
    const c2 = 3.0 * (vv - c1);
    const c3 = -6.0 * vv - 3.0 * (v - c1);
    const c4 = 1.0 + 3.0 * v - c1 + 3.0 * vv;
    // `today` now equals lookback + 1 - the seeding consumed bars 0..lookback.
    out[lookback] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
    for (; today < n; today++) {
      e1 = k * x[today] + k1 * e1;
      e2 = k * e1 + k1 * e2;
      e3 = k * e2 + k1 * e3;
      e4 = k * e3 + k1 * e4;
      e5 = k * e4 + k1 * e5;
      e6 = k * e5 + k1 * e6;
      out[today] = c1 * e6 + c2 * e5 + c3 * e4 + c4 * e3;
    }
    return { [VALUE]: out };
  },
};

export const hma: IndicatorDefinition = {
  type: 'hma',
  aliases: ['hullmovingaverage'],
  name: 'Hull Moving Average',
  description: 'WMA(2·WMA(x, ⌊n/2⌋) − WMA(x, n), ⌊√n⌋).',
  category: 'trend',
  params: [intParam('period', 20, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1 + Math.floor(Math.sqrt(num(p, 'period'))) - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const half = Math.floor(period / 2);
    const root = Math.floor(Math.sqrt(period));
    const wHalf = nanArray(n);
    const wFull = nanArray(n);
    wmaInto(x, half, wHalf);
    wmaInto(x, period, wFull);
    const diff = nanArray(n);
    for (let i = period - 1; i < n; i++) diff[i] = 2 * wHalf[i] - wFull[i];
    const out = nanArray(n);
    wmaInto(diff, root, out, period - 1);
    return { [VALUE]: out };
  },
  notes: 'Not in TA-Lib; verified against a naive weighted-sum implementation.',
};

export const MOVING_AVERAGES: IndicatorDefinition[] = [sma, ema, wma, dema, tema, trima, kama, t3, hma];
