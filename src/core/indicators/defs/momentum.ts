// Momentum oscillators: RSI, CMO, MACD, PPO, APO, stochastics, Williams %R, CCI, ROC, momentum, TRIX,
// ultimate oscillator, BOP, Aroon, Fisher transform, RVI.
import { emaChain, emaInto, nanArray, rollingMaxInto, rollingMinInto, smaInto } from '../kernels';
import {
  boolParam,
  choiceParam,
  intParam,
  num,
  selectSource,
  sourceParam,
  str,
  type Params,
} from '../params';
import type { BarSeries } from '../../bars/types';
import type { IndicatorDefinition } from '../types';
import { VALUE, maskBefore, perOutputWarmups } from './common';
import { rawStochInto, wilderOscInto } from './oscillator-kernels';

const src = (bars: BarSeries, p: Params) => selectSource(bars, str(p, 'source'));

export const rsi: IndicatorDefinition = {
  type: 'rsi',
  name: 'Relative Strength Index',
  description: "Wilder's RSI: 100·avgGain/(avgGain+avgLoss), averages seeded with the mean of the first `period` changes.",
  category: 'momentum',
  params: [intParam('period', 14, 2, 100, 'Smoothing period'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const x = src(bars, p);
    const out = nanArray(x.length);
    wilderOscInto(x, num(p, 'period'), out, 'rsi', 50);
    return { [VALUE]: out };
  },
  notes: 'Same as TA-Lib and KTRDR, except a window with no price change gives 50 (TA-Lib gives 0; KTRDR 50).',
};

export const cmo: IndicatorDefinition = {
  type: 'cmo',
  name: 'Chande Momentum Oscillator',
  description: '100·(avgGain−avgLoss)/(avgGain+avgLoss) with Wilder-smoothed averages (TA-Lib), range −100..100.',
  category: 'momentum',
  params: [intParam('period', 14, 2, 100, 'Smoothing period'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const x = src(bars, p);
    const out = nanArray(x.length);
    wilderOscInto(x, num(p, 'period'), out, 'cmo', 0);
    return { [VALUE]: out };
  },
  notes:
    "Follows TA-Lib, which smooths gains and losses with Wilder's recursion (so CMO = 2·RSI − 100); Chande's " +
    'original uses plain n-bar sums. A window with no change gives 0.',
};

function macdCore(x: Float64Array, fast: number, slow: number, signalPeriod: number) {
  if (slow < fast) [fast, slow] = [slow, fast];
  const n = x.length;
  const slowE = nanArray(n);
  const fastE = nanArray(n);
  emaInto(x, slow, slowE);
  // TA-Lib seeds the fast EMA on the `fast` bars ending where the slow EMA starts (not at bar 0).
  emaInto(x, fast, fastE, 0, slow - 1);
  const line = nanArray(n);
  for (let i = slow - 1; i < n; i++) line[i] = fastE[i] - slowE[i];
  const signal = nanArray(n);
  emaInto(line, signalPeriod, signal, slow - 1);
  const histogram = nanArray(n);
  for (let i = slow + signalPeriod - 2; i < n; i++) histogram[i] = line[i] - signal[i];
  return { line, signal, histogram };
}

export const macd: IndicatorDefinition = {
  type: 'macd',
  name: 'MACD',
  description: 'EMA(fast) − EMA(slow), its EMA(signal) and the difference (TA-Lib seeding).',
  category: 'momentum',
  params: [
    intParam('fast_period', 12, 1, 100, 'Fast EMA span'),
    intParam('slow_period', 26, 1, 200, 'Slow EMA span'),
    intParam('signal_period', 9, 1, 50, 'Signal EMA span'),
    sourceParam(),
  ],
  outputs: ['line', 'signal', 'histogram'],
  ...perOutputWarmups((p) => {
    const slow = Math.max(num(p, 'fast_period'), num(p, 'slow_period'));
    const full = slow - 1 + num(p, 'signal_period') - 1;
    return { line: slow - 1, signal: full, histogram: full };
  }),
  compute(bars, p) {
    return macdCore(src(bars, p), num(p, 'fast_period'), num(p, 'slow_period'), num(p, 'signal_period'));
  },
  notes:
    'TA-Lib MACD: both EMAs SMA-seeded, the fast one on the bars ending where the slow one starts; the line is ' +
    'defined from slow−1, signal/histogram from slow+signal−2 (TA-Lib reports all three from the latter). ' +
    'KTRDR uses first-value-seeded EMAs (adjust=False) and no warm-up. fast > slow is swapped, as TA-Lib does.',
};

function priceOscillator(x: Float64Array, fast: number, slow: number, maType: string, percent: boolean): Float64Array {
  if (slow < fast) [fast, slow] = [slow, fast];
  const n = x.length;
  const slowM = nanArray(n);
  const fastM = nanArray(n);
  if (maType === 'EMA') {
    // unlike MACD, TA-Lib's PPO/APO seed both EMAs from bar 0
    emaInto(x, slow, slowM);
    emaInto(x, fast, fastM);
  } else {
    smaInto(x, slow, slowM);
    smaInto(x, fast, fastM);
  }
  const out = nanArray(n);
  for (let i = slow - 1; i < n; i++) {
    const s = slowM[i];
    if (!percent) out[i] = fastM[i] - s;
    else out[i] = s > -1e-14 && s < 1e-14 ? 0 : ((fastM[i] - s) / s) * 100.0;
  }
  return out;
}

const poParams = () => [
  intParam('fast_period', 12, 2, 200, 'Fast moving-average period'),
  intParam('slow_period', 26, 2, 500, 'Slow moving-average period'),
  choiceParam('ma_type', 'EMA', ['EMA', 'SMA'], 'Moving-average kind'),
  sourceParam(),
];

export const ppo: IndicatorDefinition = {
  type: 'ppo',
  name: 'Percentage Price Oscillator',
  description: '100·(MA(fast) − MA(slow))/MA(slow).',
  category: 'momentum',
  params: poParams(),
  outputs: [VALUE],
  warmup: (p) => Math.max(num(p, 'fast_period'), num(p, 'slow_period')) - 1,
  compute(bars, p) {
    return { [VALUE]: priceOscillator(src(bars, p), num(p, 'fast_period'), num(p, 'slow_period'), str(p, 'ma_type'), true) };
  },
  notes: "TA-Lib's definition; its default MA kind is SMA, ours EMA (Appel's definition). 0 where MA(slow)≈0.",
};

export const apo: IndicatorDefinition = {
  type: 'apo',
  name: 'Absolute Price Oscillator',
  description: 'MA(fast) − MA(slow).',
  category: 'momentum',
  params: poParams(),
  outputs: [VALUE],
  warmup: (p) => Math.max(num(p, 'fast_period'), num(p, 'slow_period')) - 1,
  compute(bars, p) {
    return { [VALUE]: priceOscillator(src(bars, p), num(p, 'fast_period'), num(p, 'slow_period'), str(p, 'ma_type'), false) };
  },
  notes: "TA-Lib's definition; its default MA kind is SMA, ours EMA.",
};

function slowStoch(bars: BarSeries, kPeriod: number, smoothK: number, dPeriod: number) {
  const n = bars.close.length;
  const raw = nanArray(n);
  const s1 = nanArray(n);
  const s2 = nanArray(n);
  rawStochInto(bars.high, bars.low, bars.close, kPeriod, raw, s1, s2);
  const k = nanArray(n);
  smaInto(raw, smoothK, k, kPeriod - 1);
  const d = nanArray(n);
  smaInto(k, dPeriod, d, kPeriod - 1 + smoothK - 1);
  const full = kPeriod - 1 + smoothK - 1 + dPeriod - 1;
  maskBefore(k, full); // TA-Lib reports %K and %D from the same bar
  return { k, d };
}

export const stochastic: IndicatorDefinition = {
  type: 'stochastic',
  aliases: ['stoch'],
  name: 'Stochastic Oscillator (slow)',
  description: '%K = SMA(raw %K, smooth_k), %D = SMA(%K, d_period), raw %K = 100·(C − min L)/(max H − min L) (TA-Lib STOCH).',
  category: 'momentum',
  params: [
    intParam('k_period', 14, 1, 100, 'Look-back of the raw %K'),
    intParam('d_period', 3, 1, 20, 'SMA period of %D'),
    intParam('smooth_k', 3, 1, 20, 'SMA period smoothing raw %K'),
  ],
  outputs: ['k', 'd'],
  warmup: (p) => num(p, 'k_period') - 1 + num(p, 'smooth_k') - 1 + num(p, 'd_period') - 1,
  compute(bars, p) {
    return slowStoch(bars, num(p, 'k_period'), num(p, 'smooth_k'), num(p, 'd_period'));
  },
  notes:
    'TA-Lib STOCH with SMA smoothing; a zero high-low range gives 50 (TA-Lib 0). KTRDR fills the warm-up with 50 ' +
    'and uses expanding means (min_periods=1); we leave the warm-up NaN.',
};

export const stochf: IndicatorDefinition = {
  type: 'stochf',
  name: 'Stochastic Oscillator (fast)',
  description: 'Raw %K and its SMA %D (TA-Lib STOCHF).',
  category: 'momentum',
  params: [intParam('k_period', 5, 1, 100, 'Look-back of %K'), intParam('d_period', 3, 1, 20, 'SMA period of %D')],
  outputs: ['k', 'd'],
  warmup: (p) => num(p, 'k_period') - 1 + num(p, 'd_period') - 1,
  compute(bars, p) {
    const n = bars.close.length;
    const kp = num(p, 'k_period');
    const dp = num(p, 'd_period');
    const k = nanArray(n);
    rawStochInto(bars.high, bars.low, bars.close, kp, k, nanArray(n), nanArray(n));
    const d = nanArray(n);
    smaInto(k, dp, d, kp - 1);
    maskBefore(k, kp - 1 + dp - 1);
    return { k, d };
  },
  notes: 'A zero range gives 50 (TA-Lib 0).',
};

export const stochrsi: IndicatorDefinition = {
  type: 'stochrsi',
  name: 'Stochastic RSI',
  description: 'Fast stochastic applied to RSI (TA-Lib STOCHRSI).',
  category: 'momentum',
  params: [
    intParam('period', 14, 2, 100, 'RSI period'),
    intParam('k_period', 5, 1, 100, 'Stochastic look-back'),
    intParam('d_period', 3, 1, 20, 'SMA period of %D'),
    sourceParam(),
  ],
  outputs: ['k', 'd'],
  warmup: (p) => num(p, 'period') + num(p, 'k_period') - 1 + num(p, 'd_period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const kp = num(p, 'k_period');
    const dp = num(p, 'd_period');
    const r = nanArray(n);
    wilderOscInto(x, period, r, 'rsi', 50);
    const k = nanArray(n);
    rawStochInto(r, r, r, kp, k, nanArray(n), nanArray(n), period);
    const d = nanArray(n);
    smaInto(k, dp, d, period + kp - 1);
    maskBefore(k, period + kp - 1 + dp - 1);
    return { k, d };
  },
  notes: 'A flat RSI window gives 50 (TA-Lib 0); a flat price window gives RSI 50 (TA-Lib 0).',
};

export const williamsr: IndicatorDefinition = {
  type: 'williamsr',
  aliases: ['willr', 'williamspercentr'],
  name: 'Williams %R',
  description: '−100·(max H − C)/(max H − min L) over `period` bars, range −100..0.',
  category: 'momentum',
  params: [intParam('period', 14, 1, 100, 'Look-back in bars')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const n = bars.close.length;
    const period = num(p, 'period');
    const hi = nanArray(n);
    const lo = nanArray(n);
    rollingMaxInto(bars.high, period, hi);
    rollingMinInto(bars.low, period, lo);
    const out = nanArray(n);
    const c = bars.close;
    for (let i = period - 1; i < n; i++) {
      const diff = (hi[i] - lo[i]) / -100.0;
      out[i] = diff !== 0 ? (hi[i] - c[i]) / diff : -50;
    }
    return { [VALUE]: out };
  },
  notes: 'TA-Lib WILLR; a zero range gives −50 (TA-Lib 0, KTRDR −50). KTRDR fills its warm-up with −50; we leave NaN.',
};

export const cci: IndicatorDefinition = {
  type: 'cci',
  name: 'Commodity Channel Index',
  description: '(TP − SMA(TP))/(0.015·mean|TP − SMA(TP)|), TP = (H+L+C)/3, deviation from the current SMA.',
  category: 'momentum',
  params: [intParam('period', 20, 2, 100, 'Window length in bars')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const { high: h, low: l, close: c } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const tp = new Float64Array(n);
    for (let i = 0; i < n; i++) tp[i] = (h[i] + l[i] + c[i]) / 3;
    const out = nanArray(n);
    for (let i = period - 1; i < n; i++) {
      // the window sum is recomputed (as TA-Lib does): TP − mean cancels most digits, so a drifting running sum
      // would show up in the result
      let sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += tp[j];
      const avg = sum / period;
      let dev = 0;
      for (let j = i - period + 1; j <= i; j++) dev += Math.abs(tp[j] - avg);
      const num0 = tp[i] - avg;
      // A flat window leaves only rounding noise in both terms: call it 0 instead of a noise ratio.
      out[i] = num0 !== 0 && dev > 1e-12 * Math.abs(avg) * period ? num0 / (0.015 * (dev / period)) : 0;
    }
    return { [VALUE]: out };
  },
  notes: 'TA-Lib CCI (0 when the window is flat). The mean deviation needs the whole window per bar: O(n·period).',
};

export const roc: IndicatorDefinition = {
  type: 'roc',
  aliases: ['rateofchange'],
  name: 'Rate of Change',
  description: '100·(x/x[t−period] − 1).',
  category: 'momentum',
  params: [intParam('period', 10, 1, 100, 'Look-back in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const out = nanArray(x.length);
    for (let i = period; i < x.length; i++) {
      const prev = x[i - period];
      out[i] = prev !== 0 ? (x[i] / prev - 1.0) * 100.0 : 0;
    }
    return { [VALUE]: out };
  },
  notes: 'TA-Lib ROC: 0 where the old value is 0 (KTRDR: NaN).',
};

export const momentum: IndicatorDefinition = {
  type: 'momentum',
  aliases: ['mom'],
  name: 'Momentum',
  description: 'x − x[t−period].',
  category: 'momentum',
  params: [intParam('period', 10, 1, 100, 'Look-back in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const out = nanArray(x.length);
    for (let i = period; i < x.length; i++) out[i] = x[i] - x[i - period];
    return { [VALUE]: out };
  },
};

export const trix: IndicatorDefinition = {
  type: 'trix',
  name: 'TRIX',
  description: '1-bar rate of change (%) of a triple EMA (TA-Lib).',
  category: 'momentum',
  params: [intParam('period', 15, 1, 200, 'EMA span'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => 3 * (num(p, 'period') - 1) + 1,
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const period = num(p, 'period');
    const [, , e3] = emaChain(x, period, 3);
    const out = nanArray(n);
    for (let i = 3 * (period - 1) + 1; i < n; i++) {
      const prev = e3[i - 1];
      out[i] = prev !== 0 ? (e3[i] / prev - 1.0) * 100.0 : 0;
    }
    return { [VALUE]: out };
  },
};

export const ultosc: IndicatorDefinition = {
  type: 'ultosc',
  aliases: ['ultimateoscillator'],
  name: 'Ultimate Oscillator',
  description: '100·(4·A1 + 2·A2 + A3)/7 with A = Σ buying pressure / Σ true range over three windows (shortest weighted 4).',
  category: 'momentum',
  params: [
    intParam('period1', 7, 1, 100, 'Short window'),
    intParam('period2', 14, 1, 100, 'Medium window'),
    intParam('period3', 28, 1, 200, 'Long window'),
  ],
  outputs: [VALUE],
  warmup: (p) => Math.max(num(p, 'period1'), num(p, 'period2'), num(p, 'period3')),
  compute(bars, p) {
    const { high: h, low: l, close: c } = bars;
    const n = c.length;
    const [p1, p2, p3] = [num(p, 'period1'), num(p, 'period2'), num(p, 'period3')].sort((a, b) => a - b);
    const start = p3;
    const out = nanArray(n);
    if (start >= n) return { [VALUE]: out };
    const bp = new Float64Array(n);
    const tr = new Float64Array(n);
    for (let i = 1; i < n; i++) {
      const lo = l[i];
      const hi = h[i];
      const pc = c[i - 1];
      bp[i] = c[i] - (lo < pc ? lo : pc);
      let t = hi - lo;
      const a = Math.abs(pc - hi);
      if (a > t) t = a;
      const b = Math.abs(pc - lo);
      if (b > t) t = b;
      tr[i] = t;
    }
    let a1 = 0,
      b1 = 0,
      a2 = 0,
      b2 = 0,
      a3 = 0,
      b3 = 0;
    for (let i = start - p1 + 1; i < start; i++) {
      a1 += bp[i];
      b1 += tr[i];
    }
    for (let i = start - p2 + 1; i < start; i++) {
      a2 += bp[i];
      b2 += tr[i];
    }
    for (let i = start - p3 + 1; i < start; i++) {
      a3 += bp[i];
      b3 += tr[i];
    }
    const isZero = (v: number) => v > -1e-14 && v < 1e-14;
    for (let t = start; t < n; t++) {
      a1 += bp[t];
      a2 += bp[t];
      a3 += bp[t];
      b1 += tr[t];
      b2 += tr[t];
      b3 += tr[t];
      let o = 0.0;
      if (!isZero(b1)) o += 4.0 * (a1 / b1);
      if (!isZero(b2)) o += 2.0 * (a2 / b2);
      if (!isZero(b3)) o += a3 / b3;
      a1 -= bp[t - p1 + 1];
      b1 -= tr[t - p1 + 1];
      a2 -= bp[t - p2 + 1];
      b2 -= tr[t - p2 + 1];
      a3 -= bp[t - p3 + 1];
      b3 -= tr[t - p3 + 1];
      out[t] = 100.0 * (o / 7.0);
    }
    return { [VALUE]: out };
  },
  notes: 'TA-Lib ULTOSC: periods are sorted, the shortest gets weight 4; a window with zero true range contributes 0.',
};

export const bop: IndicatorDefinition = {
  type: 'bop',
  aliases: ['balanceofpower'],
  name: 'Balance of Power',
  description: '(C − O)/(H − L); 0 when H = L.',
  category: 'momentum',
  params: [],
  outputs: [VALUE],
  warmup: () => 0,
  compute(bars) {
    const { open: o, high: h, low: l, close: c } = bars;
    const n = c.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = h[i] - l[i];
      out[i] = r < 1e-14 ? 0 : (c[i] - o[i]) / r;
    }
    return { [VALUE]: out };
  },
};

function aroonCore(high: Float64Array, low: Float64Array, period: number) {
  const n = high.length;
  const up = nanArray(n);
  const down = nanArray(n);
  const osc = nanArray(n);
  const factor = 100.0 / period;
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0;
  let highest = 0;
  for (let today = period; today < n; today++) {
    const trail = today - period;
    // TA-Lib ties: the most recent extreme wins (>= / <=).
    if (lowestIdx < trail) {
      lowestIdx = trail;
      lowest = low[trail];
      for (let i = trail + 1; i <= today; i++)
        if (low[i] <= lowest) {
          lowestIdx = i;
          lowest = low[i];
        }
    } else if (low[today] <= lowest) {
      lowestIdx = today;
      lowest = low[today];
    }
    if (highestIdx < trail) {
      highestIdx = trail;
      highest = high[trail];
      for (let i = trail + 1; i <= today; i++)
        if (high[i] >= highest) {
          highestIdx = i;
          highest = high[i];
        }
    } else if (high[today] >= highest) {
      highestIdx = today;
      highest = high[today];
    }
    up[today] = factor * (period - (today - highestIdx));
    down[today] = factor * (period - (today - lowestIdx));
    osc[today] = factor * (highestIdx - lowestIdx);
  }
  return { up, down, oscillator: osc };
}

export const aroon: IndicatorDefinition = {
  type: 'aroon',
  name: 'Aroon',
  description: 'up = 100·(period − bars since the highest high)/period over the last period+1 bars; down likewise for lows.',
  category: 'trend',
  params: [
    intParam('period', 14, 1, 200, 'Look-back in bars'),
    boolParam('include_oscillator', false, 'Accepted for KTRDR compatibility; the oscillator output is always present'),
  ],
  outputs: ['up', 'down', 'oscillator'],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    return aroonCore(bars.high, bars.low, num(p, 'period'));
  },
  notes:
    'TA-Lib AROON/AROONOSC: the window is period+1 bars and ties pick the most recent bar. KTRDR uses a period-bar ' +
    'window and the first occurrence (first value at period−1).',
};

export const aroonosc: IndicatorDefinition = {
  type: 'aroonosc',
  name: 'Aroon Oscillator',
  description: 'Aroon up − Aroon down.',
  category: 'trend',
  params: [intParam('period', 14, 1, 200, 'Look-back in bars')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    return { [VALUE]: aroonCore(bars.high, bars.low, num(p, 'period')).oscillator };
  },
};

export const fishertransform: IndicatorDefinition = {
  type: 'fishertransform',
  aliases: ['fisher'],
  name: 'Fisher Transform',
  description:
    'v = 2·(HL2 − min L)/(max H − min L) − 1 clipped to ±0.999, raw = ½·ln((1+v)/(1−v)), fisher = EMA(raw, smoothing), signal = fisher one bar earlier.',
  category: 'momentum',
  params: [intParam('period', 10, 2, 100, 'Look-back of the range'), intParam('smoothing', 3, 1, 20, 'EMA span over the raw transform')],
  outputs: ['fisher', 'signal'],
  ...perOutputWarmups((p) => {
    const f = num(p, 'period') - 1 + num(p, 'smoothing') - 1;
    return { fisher: f, signal: f + 1 };
  }),
  compute(bars, p) {
    const { high: h, low: l } = bars;
    const n = h.length;
    const period = num(p, 'period');
    const smoothing = num(p, 'smoothing');
    const hi = nanArray(n);
    const lo = nanArray(n);
    rollingMaxInto(h, period, hi);
    rollingMinInto(l, period, lo);
    const raw = nanArray(n);
    for (let i = period - 1; i < n; i++) {
      const range = hi[i] - lo[i];
      let v = range !== 0 ? (2 * ((h[i] + l[i]) / 2 - lo[i])) / range - 1 : 0;
      if (v > 0.999) v = 0.999;
      else if (v < -0.999) v = -0.999;
      raw[i] = 0.5 * Math.log((1 + v) / (1 - v));
    }
    const fisher = nanArray(n);
    emaInto(raw, smoothing, fisher, period - 1);
    const signal = nanArray(n);
    for (let i = period - 1 + smoothing; i < n; i++) signal[i] = fisher[i - 1];
    return { fisher, signal };
  },
  notes:
    'Not in TA-Lib. KTRDR\'s formula, with the EMA SMA-seeded (KTRDR seeds it with the first value), so the warm-up is ' +
    'period+smoothing−2 (signal one more).',
};

export const rvi: IndicatorDefinition = {
  type: 'rvi',
  aliases: ['relativevigorindex'],
  name: 'Relative Vigor Index',
  description:
    'num = (CO[t−3] + 2·CO[t−2] + 2·CO[t−1] + CO[t])/6 with CO = C−O, den likewise with H−L; rvi = SMA(num)/SMA(den), signal = SMA(rvi).',
  category: 'momentum',
  params: [intParam('period', 10, 4, 100, 'SMA period'), intParam('signal_period', 4, 1, 50, 'SMA period of the signal')],
  outputs: ['rvi', 'signal'],
  ...perOutputWarmups((p) => ({ rvi: num(p, 'period') + 2, signal: num(p, 'period') + 2 + num(p, 'signal_period') - 1 })),
  compute(bars, p) {
    const { open: o, high: h, low: l, close: c } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const sp = num(p, 'signal_period');
    const numer = nanArray(n);
    const denom = nanArray(n);
    for (let i = 3; i < n; i++) {
      numer[i] = (c[i - 3] - o[i - 3] + 2 * (c[i - 2] - o[i - 2]) + 2 * (c[i - 1] - o[i - 1]) + (c[i] - o[i])) / 6;
      denom[i] = (h[i - 3] - l[i - 3] + 2 * (h[i - 2] - l[i - 2]) + 2 * (h[i - 1] - l[i - 1]) + (h[i] - l[i])) / 6;
    }
    const nm = nanArray(n);
    const dm = nanArray(n);
    smaInto(numer, period, nm, 3);
    smaInto(denom, period, dm, 3);
    const out = nanArray(n);
    for (let i = period + 2; i < n; i++) out[i] = dm[i] !== 0 ? nm[i] / dm[i] : 0;
    const signal = nanArray(n);
    smaInto(out, sp, signal, period + 2);
    return { rvi: out, signal };
  },
  notes: 'Not in TA-Lib. KTRDR\'s formula; where the range average is 0 (all bars flat) rvi is 0 (KTRDR: NaN).',
};

export const MOMENTUM: IndicatorDefinition[] = [
  rsi,
  cmo,
  macd,
  ppo,
  apo,
  stochastic,
  stochf,
  stochrsi,
  williamsr,
  cci,
  roc,
  momentum,
  trix,
  ultosc,
  bop,
  aroon,
  aroonosc,
  fishertransform,
  rvi,
];
