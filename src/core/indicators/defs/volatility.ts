// Volatility and channels: ATR, NATR, true range, Bollinger bands and width, standard deviation, variance,
// z-score, Keltner and Donchian channels, squeeze intensity, SuperTrend, midpoint/midprice.
import { atrInto, emaInto, nanArray, rollingMaxInto, rollingMeanVarInto, rollingMinInto, trueRangeAt } from '../kernels';
import { boolParam, floatParam, intParam, num, selectSource, sourceParam, str, type Params } from '../params';
import type { BarSeries } from '../../bars/types';
import type { IndicatorDefinition } from '../types';
import { VALUE, perOutputWarmups } from './common';

const src = (bars: BarSeries, p: Params) => selectSource(bars, str(p, 'source'));

export const atr: IndicatorDefinition = {
  type: 'atr',
  aliases: ['averagetruerange'],
  name: 'Average True Range',
  description: "Wilder's average of the true range: seeded with the mean of TR[1..period], then (ATR·(n−1) + TR)/n.",
  category: 'volatility',
  params: [intParam('period', 14, 1, 100, 'Smoothing period')],
  outputs: [VALUE],
  warmup: (p) => Math.max(1, num(p, 'period')),
  compute(bars, p) {
    const out = nanArray(bars.close.length);
    atrInto(bars.high, bars.low, bars.close, num(p, 'period'), out);
    return { [VALUE]: out };
  },
  notes:
    'TA-Lib ATR (Wilder smoothing, first value at index period). KTRDR uses a simple rolling mean of TR with ' +
    'TR[0] = H−L (first value at period−1): a different, non-standard indicator.',
};

export const natr: IndicatorDefinition = {
  type: 'natr',
  name: 'Normalized ATR',
  description: '100·ATR/close.',
  category: 'volatility',
  params: [intParam('period', 14, 1, 100, 'Smoothing period')],
  outputs: [VALUE],
  warmup: (p) => Math.max(1, num(p, 'period')),
  compute(bars, p) {
    const c = bars.close;
    const out = nanArray(c.length);
    atrInto(bars.high, bars.low, c, num(p, 'period'), out);
    for (let i = 0; i < c.length; i++) {
      if (Number.isNaN(out[i])) continue;
      const v = c[i];
      out[i] = v > -1e-14 && v < 1e-14 ? 0 : (out[i] / v) * 100.0;
    }
    return { [VALUE]: out };
  },
};

export const trange: IndicatorDefinition = {
  type: 'trange',
  aliases: ['truerange'],
  name: 'True Range',
  description: 'max(H−L, |H−C[t−1]|, |L−C[t−1]|).',
  category: 'volatility',
  params: [],
  outputs: [VALUE],
  warmup: () => 1,
  compute(bars) {
    const out = nanArray(bars.close.length);
    for (let i = 1; i < out.length; i++) out[i] = trueRangeAt(bars.high, bars.low, bars.close, i);
    return { [VALUE]: out };
  },
  notes: 'TA-Lib TRANGE: undefined on the first bar (KTRDR uses H−L there).',
};

/** middle = SMA, sd = population standard deviation, both over the same window. */
function meanStd(x: Float64Array, period: number) {
  const n = x.length;
  const mean = nanArray(n);
  const sd = nanArray(n);
  rollingMeanVarInto(x, period, mean, sd);
  for (let i = period - 1; i < n; i++) sd[i] = Math.sqrt(sd[i]);
  return { mean, sd };
}

const bbParams = () => [
  intParam('period', 20, 2, 200, 'Window length in bars'),
  floatParam('multiplier', 2.0, 0.001, 10, 'Band width in standard deviations'),
  sourceParam(),
];

export const bbands: IndicatorDefinition = {
  type: 'bbands',
  aliases: ['bollingerbands'],
  name: 'Bollinger Bands',
  description: 'middle = SMA, upper/lower = middle ± multiplier·σ with the POPULATION standard deviation (÷n).',
  category: 'volatility',
  params: bbParams(),
  outputs: ['upper', 'middle', 'lower'],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const mult = num(p, 'multiplier');
    const { mean, sd } = meanStd(x, period);
    const upper = nanArray(x.length);
    const lower = nanArray(x.length);
    for (let i = period - 1; i < x.length; i++) {
      const w = sd[i] * mult;
      upper[i] = mean[i] + w;
      lower[i] = mean[i] - w;
    }
    return { upper, middle: mean, lower };
  },
  notes:
    'TA-Lib BBANDS (SMA, population σ). KTRDR uses pandas\' sample σ (÷(n−1)), bands √(n/(n−1)) wider. σ is computed ' +
    'with a sliding Welford update rather than TA-Lib\'s E[x²]−E[x]², which loses digits on price-level data.',
};

export const bollingerbandwidth: IndicatorDefinition = {
  type: 'bollingerbandwidth',
  aliases: ['bbwidth', 'bollingerbandwidthindicator'],
  name: 'Bollinger Band Width',
  description: '(upper − lower)/middle of the Bollinger bands.',
  category: 'volatility',
  params: bbParams(),
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const mult = num(p, 'multiplier');
    const { mean, sd } = meanStd(x, period);
    const out = nanArray(x.length);
    for (let i = period - 1; i < x.length; i++) {
      const m = mean[i];
      const w = sd[i] * mult;
      out[i] = Math.abs(m) <= 1e-10 ? 0 : (m + w - (m - w)) / m;
    }
    return { [VALUE]: out };
  },
  notes: 'Not in TA-Lib. Population σ (see bbands); 0 where |middle| ≤ 1e-10. KTRDR also writes 0 in the warm-up; we leave NaN.',
};

export const stddev: IndicatorDefinition = {
  type: 'stddev',
  aliases: ['standarddeviation'],
  name: 'Standard Deviation',
  description: 'Population standard deviation (÷n) over `period` bars, times nbdev.',
  category: 'volatility',
  params: [intParam('period', 20, 2, 500, 'Window length in bars'), floatParam('nbdev', 1.0, 0.001, 100, 'Multiplier'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const k = num(p, 'nbdev');
    const { sd } = meanStd(x, period);
    if (k !== 1) for (let i = period - 1; i < x.length; i++) sd[i] *= k;
    return { [VALUE]: sd };
  },
  notes: 'TA-Lib STDDEV (population). TA-Lib reports 0 when the variance is below 1e-14; we report √variance.',
};

export const variance: IndicatorDefinition = {
  type: 'var',
  aliases: ['variance'],
  name: 'Variance',
  description: 'Population variance (÷n) over `period` bars.',
  category: 'volatility',
  params: [intParam('period', 20, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const mean = nanArray(n);
    const v = nanArray(n);
    rollingMeanVarInto(x, num(p, 'period'), mean, v);
    return { [VALUE]: v };
  },
  notes: 'TA-Lib VAR; never negative here (TA-Lib\'s E[x²]−E[x]² can round below 0).',
};

export const zscore: IndicatorDefinition = {
  type: 'zscore',
  name: 'Z-Score',
  description: '(x − SMA(x))/σ(x) over `period` bars, population σ; 0 when σ = 0.',
  category: 'volatility',
  params: [intParam('period', 20, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const { mean, sd } = meanStd(x, period);
    const out = nanArray(x.length);
    for (let i = period - 1; i < x.length; i++) out[i] = sd[i] > 0 ? (x[i] - mean[i]) / sd[i] : 0;
    return { [VALUE]: out };
  },
  notes: 'Not in TA-Lib.',
};

function keltner(bars: BarSeries, period: number, atrPeriod: number, mult: number) {
  const n = bars.close.length;
  const middle = nanArray(n);
  emaInto(bars.close, period, middle);
  const range = nanArray(n);
  atrInto(bars.high, bars.low, bars.close, atrPeriod, range);
  const upper = nanArray(n);
  const lower = nanArray(n);
  for (let i = Math.max(period - 1, atrPeriod); i < n; i++) {
    const w = mult * range[i];
    upper[i] = middle[i] + w;
    lower[i] = middle[i] - w;
  }
  return { upper, middle, lower };
}

export const keltnerchannels: IndicatorDefinition = {
  type: 'keltnerchannels',
  aliases: ['keltner'],
  name: 'Keltner Channels',
  description: 'middle = EMA(close, period), upper/lower = middle ± multiplier·ATR(atr_period).',
  category: 'volatility',
  params: [
    intParam('period', 20, 2, 500, 'EMA span of the middle line'),
    intParam('atr_period', 10, 2, 200, 'ATR period'),
    floatParam('multiplier', 2.0, 0.001, 10, 'Channel width in ATRs'),
  ],
  outputs: ['upper', 'middle', 'lower'],
  ...perOutputWarmups((p) => {
    const band = Math.max(num(p, 'period') - 1, num(p, 'atr_period'));
    return { upper: band, middle: num(p, 'period') - 1, lower: band };
  }),
  compute(bars, p) {
    return keltner(bars, num(p, 'period'), num(p, 'atr_period'), num(p, 'multiplier'));
  },
  notes:
    'Not in TA-Lib; built from TA-Lib EMA and ATR. KTRDR uses a first-value-seeded EMA and a simple-mean ATR, ' +
    'so its middle has no warm-up and its bands start at atr_period−1.',
};

export const donchianchannels: IndicatorDefinition = {
  type: 'donchianchannels',
  aliases: ['donchian'],
  name: 'Donchian Channels',
  description: 'upper = highest high, lower = lowest low over the last `period` bars (current included), middle = their mean.',
  category: 'volatility',
  params: [
    intParam('period', 20, 2, 500, 'Window length in bars'),
    boolParam('include_middle', true, 'Accepted for KTRDR compatibility; the middle output is always present'),
  ],
  outputs: ['upper', 'middle', 'lower'],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const n = bars.close.length;
    const period = num(p, 'period');
    const upper = nanArray(n);
    const lower = nanArray(n);
    rollingMaxInto(bars.high, period, upper);
    rollingMinInto(bars.low, period, lower);
    const middle = nanArray(n);
    for (let i = period - 1; i < n; i++) middle[i] = (upper[i] + lower[i]) / 2;
    return { upper, middle, lower };
  },
  notes: 'Not in TA-Lib. The window includes the current bar (a breakout test should compare with the previous bar\'s channel).',
};

export const squeezeintensity: IndicatorDefinition = {
  type: 'squeezeintensity',
  aliases: ['squeeze'],
  name: 'Squeeze Intensity',
  description:
    'How far the Bollinger bands sit inside the Keltner channel: max(0, min((KCu−BBu), (BBl−KCl))/(KCu−KCl)); 0 when not squeezed.',
  category: 'volatility',
  params: [
    intParam('bb_period', 20, 2, 200, 'Bollinger period'),
    floatParam('bb_multiplier', 2.0, 0.001, 5, 'Bollinger width in σ'),
    intParam('kc_period', 20, 2, 200, 'Keltner EMA span'),
    floatParam('kc_multiplier', 2.0, 0.001, 5, 'Keltner width in ATRs'),
    intParam('atr_period', 10, 2, 200, 'Keltner ATR period (fixed at 10 in KTRDR)'),
    sourceParam(),
  ],
  outputs: [VALUE],
  warmup: (p) => Math.max(num(p, 'bb_period') - 1, num(p, 'kc_period') - 1, num(p, 'atr_period')),
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const bbp = num(p, 'bb_period');
    const bbm = num(p, 'bb_multiplier');
    const { mean, sd } = meanStd(x, bbp);
    const kc = keltner(bars, num(p, 'kc_period'), num(p, 'atr_period'), num(p, 'kc_multiplier'));
    const out = nanArray(n);
    const start = Math.max(bbp - 1, num(p, 'kc_period') - 1, num(p, 'atr_period'));
    for (let i = start; i < n; i++) {
      const bbu = mean[i] + bbm * sd[i];
      const bbl = mean[i] - bbm * sd[i];
      const range = kc.upper[i] - kc.lower[i];
      if (!(Math.abs(range) > 1e-10)) {
        out[i] = 0;
        continue;
      }
      const s = Math.min((kc.upper[i] - bbu) / range, (bbl - kc.lower[i]) / range);
      out[i] = s > 0 ? s : 0;
    }
    return { [VALUE]: out };
  },
  notes: 'Not in TA-Lib. KTRDR formula over our bbands (population σ) and keltnerchannels (TA-Lib EMA/ATR).',
};

export const supertrend: IndicatorDefinition = {
  type: 'supertrend',
  name: 'SuperTrend',
  description:
    'Bands HL2 ± multiplier·ATR ratchet toward price; trend = lower band in an up-trend, upper band in a down-trend; direction = +1/−1.',
  category: 'trend',
  params: [intParam('period', 10, 2, 200, 'ATR period'), floatParam('multiplier', 3.0, 0.001, 10, 'Band width in ATRs')],
  outputs: ['trend', 'direction'],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const { high: h, low: l, close: c } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const mult = num(p, 'multiplier');
    const range = nanArray(n);
    atrInto(h, l, c, period, range);
    const trend = nanArray(n);
    const direction = nanArray(n);
    if (period >= n) return { trend, direction };
    let finalUpper = 0;
    let finalLower = 0;
    let dir = 1;
    for (let i = period; i < n; i++) {
      const mid = (h[i] + l[i]) / 2;
      const basicUpper = mid + mult * range[i];
      const basicLower = mid - mult * range[i];
      if (i === period) {
        finalUpper = basicUpper;
        finalLower = basicLower;
        dir = c[i] >= mid ? 1 : -1;
      } else {
        // a band only moves toward price unless the previous close broke through it
        finalUpper = basicUpper < finalUpper || c[i - 1] > finalUpper ? basicUpper : finalUpper;
        finalLower = basicLower > finalLower || c[i - 1] < finalLower ? basicLower : finalLower;
        if (dir === 1 && c[i] < finalLower) dir = -1;
        else if (dir === -1 && c[i] > finalUpper) dir = 1;
      }
      trend[i] = dir === 1 ? finalLower : finalUpper;
      direction[i] = dir;
    }
    return { trend, direction };
  },
  notes:
    'Not in TA-Lib. Standard ratchet/flip rules over TA-Lib ATR; the first direction is +1 when close ≥ HL2. ' +
    'KTRDR\'s version never leaves its NaN seed (trend all NaN, direction always +1); this one is defined from bar `period`.',
};

export const midpoint: IndicatorDefinition = {
  type: 'midpoint',
  name: 'Midpoint',
  description: '(highest + lowest)/2 of the source over `period` bars.',
  category: 'trend',
  params: [intParam('period', 14, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const hi = nanArray(x.length);
    const out = nanArray(x.length);
    rollingMaxInto(x, period, hi);
    rollingMinInto(x, period, out);
    for (let i = period - 1; i < x.length; i++) out[i] = (hi[i] + out[i]) / 2.0;
    return { [VALUE]: out };
  },
};

export const midprice: IndicatorDefinition = {
  type: 'midprice',
  name: 'Midprice',
  description: '(highest high + lowest low)/2 over `period` bars.',
  category: 'trend',
  params: [intParam('period', 14, 2, 500, 'Window length in bars')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const period = num(p, 'period');
    const n = bars.close.length;
    const hi = nanArray(n);
    const out = nanArray(n);
    rollingMaxInto(bars.high, period, hi);
    rollingMinInto(bars.low, period, out);
    for (let i = period - 1; i < n; i++) out[i] = (hi[i] + out[i]) / 2.0;
    return { [VALUE]: out };
  },
};

export const VOLATILITY: IndicatorDefinition[] = [
  atr,
  natr,
  trange,
  bbands,
  bollingerbandwidth,
  stddev,
  variance,
  zscore,
  keltnerchannels,
  donchianchannels,
  squeezeintensity,
  supertrend,
  midpoint,
  midprice,
];
