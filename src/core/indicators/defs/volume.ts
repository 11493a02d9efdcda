// Volume indicators: OBV, A/D line, Chaikin oscillator, CMF, MFI, VWAP, volume ratio.
// Every one stays finite on an all-zero volume column (the OANDA FX files): the documented neutral value is
// used where a ratio's denominator is zero volume. Zero-volume windows are detected with an exact integer
// count of non-zero bars, never by comparing a running float sum with 0 (add/subtract leaves residue).
import { emaInto, nanArray } from '../kernels';
import { boolParam, intParam, num, bool } from '../params';
import type { IndicatorDefinition } from '../types';
import { VALUE, perOutputWarmups } from './common';

/** Chaikin money-flow multiplier ((C−L) − (H−C))/(H−L); 0 when H ≤ L. */
function mfMultiplier(h: number, l: number, c: number): number {
  const r = h - l;
  return r > 0.0 ? (c - l - (h - c)) / r : 0;
}

export const obv: IndicatorDefinition = {
  type: 'obv',
  aliases: ['onbalancevolume'],
  name: 'On-Balance Volume',
  description: 'Running total of volume, added on up-closes and subtracted on down-closes; starts at the first bar\'s volume.',
  category: 'volume',
  params: [],
  outputs: [VALUE],
  warmup: () => 0,
  compute(bars) {
    const { close: c, volume: v } = bars;
    const n = c.length;
    const out = new Float64Array(n);
    if (n === 0) return { [VALUE]: out };
    let total = v[0];
    let prev = c[0];
    for (let i = 0; i < n; i++) {
      const x = c[i];
      if (x > prev) total += v[i];
      else if (x < prev) total -= v[i];
      out[i] = total;
      prev = x;
    }
    return { [VALUE]: out };
  },
  notes: 'TA-Lib OBV (starts at volume[0]); KTRDR starts at 0 — the two differ by the constant volume[0]. Zero volume → flat 0 line.',
};

export const adline: IndicatorDefinition = {
  type: 'adline',
  aliases: ['ad', 'accumulationdistribution', 'accumulationdistributionline'],
  name: 'Accumulation/Distribution Line',
  description: 'Cumulative Σ multiplier·volume, multiplier = ((C−L) − (H−C))/(H−L) (0 when H = L).',
  category: 'volume',
  params: [
    boolParam('use_sma_smoothing', false, 'Replace the line by its SMA(smoothing_period)'),
    intParam('smoothing_period', 21, 2, 200, 'SMA period when smoothing'),
  ],
  outputs: ['line', 'mf_multiplier', 'mf_volume'],
  ...perOutputWarmups((p) => ({
    line: bool(p, 'use_sma_smoothing') ? num(p, 'smoothing_period') - 1 : 0,
    mf_multiplier: 0,
    mf_volume: 0,
  })),
  compute(bars, p) {
    const { high: h, low: l, close: c, volume: v } = bars;
    const n = c.length;
    const line = new Float64Array(n);
    const mult = new Float64Array(n);
    const mfv = new Float64Array(n);
    let ad = 0.0;
    for (let i = 0; i < n; i++) {
      const m = mfMultiplier(h[i], l[i], c[i]);
      mult[i] = m;
      const f = m * v[i];
      mfv[i] = f;
      if (h[i] - l[i] > 0.0) ad += f;
      line[i] = ad;
    }
    if (bool(p, 'use_sma_smoothing')) {
      const period = num(p, 'smoothing_period');
      const sm = nanArray(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += line[i];
        if (i >= period) sum -= line[i - period];
        if (i >= period - 1) sm[i] = sum / period;
      }
      return { line: sm, mf_multiplier: mult, mf_volume: mfv };
    }
    return { line, mf_multiplier: mult, mf_volume: mfv };
  },
  notes:
    'TA-Lib AD. KTRDR\'s extra outputs roc_10, momentum_21 and relative_strength are dropped (derive them with roc/momentum ' +
    'in the feature layer); its use_sma_smoothing breaks its own output check, here it smooths `line`. Zero volume → 0.',
};

export const adosc: IndicatorDefinition = {
  type: 'adosc',
  aliases: ['chaikinoscillator', 'chaikinosc'],
  name: 'Chaikin A/D Oscillator',
  description: 'EMA(AD, fast) − EMA(AD, slow), both EMAs seeded with the first A/D value (TA-Lib).',
  category: 'volume',
  params: [intParam('fast_period', 3, 2, 100, 'Fast EMA span'), intParam('slow_period', 10, 2, 200, 'Slow EMA span')],
  outputs: [VALUE],
  warmup: (p) => Math.max(num(p, 'fast_period'), num(p, 'slow_period')) - 1,
  compute(bars, p) {
    const { high: h, low: l, close: c, volume: v } = bars;
    const n = c.length;
    const fast = num(p, 'fast_period');
    const slow = num(p, 'slow_period');
    const start = Math.max(fast, slow) - 1;
    const out = nanArray(n);
    if (n === 0) return { [VALUE]: out };
    const fk = 2 / (fast + 1);
    const sk = 2 / (slow + 1);
    const fk1 = 1.0 - fk;
    const sk1 = 1.0 - sk;
    let ad = 0.0;
    const step = (i: number) => {
      const r = h[i] - l[i];
      if (r > 0.0) ad += ((c[i] - l[i] - (h[i] - c[i])) / r) * v[i];
    };
    step(0);
    let fe = ad;
    let se = ad;
    for (let i = 1; i < n; i++) {
      step(i);
      fe = fk * ad + fk1 * fe;
      se = sk * ad + sk1 * se;
      if (i >= start) out[i] = fe - se;
    }
    return { [VALUE]: out };
  },
  notes: 'TA-Lib ADOSC (first-value-seeded EMAs, output masked for max(fast,slow)−1 bars). Zero volume → 0.',
};

export const cmf: IndicatorDefinition = {
  type: 'cmf',
  aliases: ['chaikinmoneyflow'],
  name: 'Chaikin Money Flow',
  description: 'Σ_n (multiplier·volume) / Σ_n volume; 0 when the window has no volume. signal = EMA(cmf), histogram = cmf − signal.',
  category: 'volume',
  params: [intParam('period', 21, 2, 500, 'Window length in bars'), intParam('signal_period', 9, 1, 100, 'EMA span of the signal')],
  outputs: ['cmf', 'signal', 'histogram'],
  ...perOutputWarmups((p) => {
    const a = num(p, 'period') - 1;
    const b = a + num(p, 'signal_period') - 1;
    return { cmf: a, signal: b, histogram: b };
  }),
  compute(bars, p) {
    const { high: h, low: l, close: c, volume: v } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const sp = num(p, 'signal_period');
    const out = nanArray(n);
    const mfv = new Float64Array(n);
    for (let i = 0; i < n; i++) mfv[i] = mfMultiplier(h[i], l[i], c[i]) * v[i];
    let sumF = 0;
    let sumV = 0;
    let nonZero = 0;
    for (let i = 0; i < n; i++) {
      sumF += mfv[i];
      sumV += v[i];
      if (v[i] !== 0) nonZero++;
      if (i >= period) {
        sumF -= mfv[i - period];
        sumV -= v[i - period];
        if (v[i - period] !== 0) nonZero--;
      }
      if (i >= period - 1) out[i] = nonZero === 0 ? 0 : sumF / sumV;
    }
    const signal = nanArray(n);
    emaInto(out, sp, signal, period - 1);
    const histogram = nanArray(n);
    for (let i = period + sp - 2; i < n; i++) histogram[i] = out[i] - signal[i];
    return { cmf: out, signal, histogram };
  },
  notes:
    'Not in TA-Lib. KTRDR formula; its signal is a first-value-seeded EMA (ours SMA-seeded), and its momentum/above_zero/' +
    'below_zero outputs are dropped (derivable). A window without volume gives 0.',
};

export const mfi: IndicatorDefinition = {
  type: 'mfi',
  aliases: ['moneyflowindex'],
  name: 'Money Flow Index',
  description: '100·Σ positive flow / Σ all flow over `period` bars, flow = typical price · volume signed by the change in typical price.',
  category: 'volume',
  params: [intParam('period', 14, 1, 100, 'Window length in bars')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const { high: h, low: l, close: c, volume: v } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const out = nanArray(n);
    if (period >= n) return { [VALUE]: out };
    const pos = new Float64Array(period);
    const neg = new Float64Array(period);
    const flowing = new Uint8Array(period);
    let ring = 0;
    let posSum = 0;
    let negSum = 0;
    let nonZero = 0;
    let prevTp = (h[0] + l[0] + c[0]) / 3.0;
    for (let t = 1; t < n; t++) {
      if (t > period) {
        posSum -= pos[ring];
        negSum -= neg[ring];
        nonZero -= flowing[ring];
      }
      const tp = (h[t] + l[t] + c[t]) / 3.0;
      const d = tp - prevTp;
      prevTp = tp;
      const flow = tp * v[t];
      pos[ring] = 0;
      neg[ring] = 0;
      if (d < 0) {
        neg[ring] = flow;
        negSum += flow;
      } else if (d > 0) {
        pos[ring] = flow;
        posSum += flow;
      }
      flowing[ring] = d !== 0 && flow !== 0 ? 1 : 0;
      nonZero += flowing[ring];
      ring = ring + 1 === period ? 0 : ring + 1;
      if (t >= period) out[t] = nonZero === 0 ? 50 : 100.0 * (posSum / (posSum + negSum));
    }
    return { [VALUE]: out };
  },
  notes:
    'TA-Lib MFI, except a window without money flow (zero volume, or no price change) gives the neutral 50: TA-Lib ' +
    'gives 0 whenever the total flow is below 1.0 (a unit-dependent cut-off), KTRDR gives 100.',
};

export const vwap: IndicatorDefinition = {
  type: 'vwap',
  name: 'Volume-Weighted Average Price',
  description: 'Σ price·volume / Σ volume over `period` bars (0 = cumulative from the first bar); price = typical price or close.',
  category: 'volume',
  params: [
    intParam('period', 20, 0, 200, 'Window length in bars; 0 = cumulative'),
    boolParam('use_typical_price', true, 'Use (H+L+C)/3 instead of the close'),
  ],
  outputs: [VALUE],
  warmup: (p) => Math.max(0, num(p, 'period') - 1),
  compute(bars, p) {
    const { high: h, low: l, close: c, volume: v } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const typical = bool(p, 'use_typical_price');
    const price = typical ? new Float64Array(n) : c;
    if (typical) for (let i = 0; i < n; i++) price[i] = (h[i] + l[i] + c[i]) / 3;
    const out = nanArray(n);
    let pv = 0;
    let vol = 0;
    let plain = 0;
    let nonZero = 0;
    for (let i = 0; i < n; i++) {
      pv += price[i] * v[i];
      vol += v[i];
      plain += price[i];
      if (v[i] !== 0) nonZero++;
      if (period > 0 && i >= period) {
        const j = i - period;
        pv -= price[j] * v[j];
        vol -= v[j];
        plain -= price[j];
        if (v[j] !== 0) nonZero--;
      }
      if (i >= period - 1) {
        const count = period > 0 ? period : i + 1;
        out[i] = nonZero === 0 ? plain / count : pv / vol;
      }
    }
    return { [VALUE]: out };
  },
  notes:
    'Not in TA-Lib. A window without volume falls back to the plain mean price (every bar weighted equally) instead of ' +
    'KTRDR\'s NaN. KTRDR computes from row 0 with a growing window (min_periods=1); ours is NaN for period−1 bars.',
};

export const volumeratio: IndicatorDefinition = {
  type: 'volumeratio',
  name: 'Volume Ratio',
  description: 'volume / SMA(volume, period); 1.0 when the window has no volume.',
  category: 'volume',
  params: [intParam('period', 20, 2, 100, 'SMA period')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const v = bars.volume;
    const n = v.length;
    const period = num(p, 'period');
    const out = nanArray(n);
    let sum = 0;
    let nonZero = 0;
    for (let i = 0; i < n; i++) {
      sum += v[i];
      if (v[i] !== 0) nonZero++;
      if (i >= period) {
        sum -= v[i - period];
        if (v[i - period] !== 0) nonZero--;
      }
      if (i >= period - 1) out[i] = nonZero === 0 ? 1.0 : v[i] / (sum / period);
    }
    return { [VALUE]: out };
  },
  notes: 'Not in TA-Lib. KTRDR writes 1.0 in the warm-up too; ours is NaN there. Zero-volume window → 1.0 (KTRDR likewise).',
};

export const VOLUME: IndicatorDefinition[] = [obv, adline, adosc, cmf, mfi, vwap, volumeratio];
