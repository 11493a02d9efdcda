// Trend and structure: ADX family, Parabolic SAR, Ichimoku, ZigZag (causal), linear regression,
// distance from MA, pivot points, price transforms.
import { emaInto, linearRegressionInto, nanArray, rollingMaxInto, rollingMinInto, smaInto, trueRangeAt } from '../kernels';
import { choiceParam, floatParam, intParam, num, selectSource, sourceParam, str, type Params } from '../params';
import type { BarSeries } from '../../bars/types';
import type { IndicatorDefinition } from '../types';
import { VALUE, perOutputWarmups } from './common';

const src = (bars: BarSeries, p: Params) => selectSource(bars, str(p, 'source'));
const isZero = (v: number) => v > -1e-14 && v < 1e-14;

/** One pass of TA-Lib's directional-movement machinery: ADX, +DI, −DI and DX. */
function directional(bars: BarSeries, period: number) {
  const { high: h, low: l, close: c } = bars;
  const n = c.length;
  const adx = nanArray(n);
  const plusDi = nanArray(n);
  const minusDi = nanArray(n);
  const dx = nanArray(n);
  if (period >= n) return { adx, plus_di: plusDi, minus_di: minusDi, dx };
  let prevHigh = h[0];
  let prevLow = l[0];
  let pdm = 0;
  let mdm = 0;
  let tr = 0;
  let sumDx = 0;
  let prevAdx = 0;
  for (let t = 1; t < n; t++) {
    const diffP = h[t] - prevHigh;
    prevHigh = h[t];
    const diffM = prevLow - l[t];
    prevLow = l[t];
    const range = trueRangeAt(h, l, c, t);
    if (t >= period) {
      mdm -= mdm / period;
      pdm -= pdm / period;
    }
    if (diffM > 0 && diffP < diffM) mdm += diffM;
    else if (diffP > 0 && diffP > diffM) pdm += diffP;
    tr = t >= period ? tr - tr / period + range : tr + range;
    if (t < period) continue;
    // DI: 0 when the smoothed range is 0 (TA-Lib PLUS_DI/MINUS_DI)
    let valid = false;
    let dxNow = 0;
    if (!isZero(tr)) {
      const m = 100.0 * (mdm / tr);
      const pl = 100.0 * (pdm / tr);
      plusDi[t] = pl;
      minusDi[t] = m;
      const sum = m + pl;
      if (!isZero(sum)) {
        dxNow = 100.0 * (Math.abs(m - pl) / sum);
        valid = true;
      }
    } else {
      plusDi[t] = 0;
      minusDi[t] = 0;
    }
    // DX holds its previous value where it is undefined (TA-Lib DX); 0 on the first bar
    dx[t] = valid ? dxNow : t === period ? 0 : dx[t - 1];
    // ADX: mean of the first `period` valid DX values, then Wilder; an undefined DX leaves it unchanged
    if (t < 2 * period) {
      if (valid) sumDx += dxNow;
      if (t === 2 * period - 1) {
        prevAdx = sumDx / period;
        adx[t] = prevAdx;
      }
    } else {
      if (valid) prevAdx = (prevAdx * (period - 1) + dxNow) / period;
      adx[t] = prevAdx;
    }
  }
  return { adx, plus_di: plusDi, minus_di: minusDi, dx };
}

export const adx: IndicatorDefinition = {
  type: 'adx',
  aliases: ['averagedirectionalindex', 'dmi'],
  name: 'Average Directional Index',
  description: "Wilder's ADX with +DI, −DI and DX; DM/TR sums seeded over period−1 bars, ADX seeded with the mean of `period` DX values.",
  category: 'trend',
  params: [intParam('period', 14, 2, 200, 'Smoothing period')],
  outputs: ['adx', 'plus_di', 'minus_di', 'dx'],
  ...perOutputWarmups((p) => {
    const q = num(p, 'period');
    return { adx: 2 * q - 1, plus_di: q, minus_di: q, dx: q };
  }),
  compute(bars, p) {
    return directional(bars, num(p, 'period'));
  },
  notes:
    'TA-Lib ADX/PLUS_DI/MINUS_DI/DX. KTRDR seeds every Wilder average with the first bar instead, so it has no ' +
    'warm-up and different values for the first few hundred bars.',
};

export const dx: IndicatorDefinition = {
  type: 'dx',
  name: 'Directional Movement Index (DX)',
  description: '100·|+DI − −DI|/(+DI + −DI).',
  category: 'trend',
  params: [intParam('period', 14, 2, 200, 'Smoothing period')],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    return { [VALUE]: directional(bars, num(p, 'period')).dx };
  },
};

export const adxr: IndicatorDefinition = {
  type: 'adxr',
  name: 'ADX Rating',
  description: '(ADX + ADX[t−(period−1)])/2.',
  category: 'trend',
  params: [intParam('period', 14, 2, 200, 'Smoothing period')],
  outputs: [VALUE],
  warmup: (p) => 3 * num(p, 'period') - 2,
  compute(bars, p) {
    const period = num(p, 'period');
    const a = directional(bars, period).adx;
    const out = nanArray(a.length);
    for (let i = 3 * period - 2; i < a.length; i++) out[i] = (a[i] + a[i - (period - 1)]) / 2.0;
    return { [VALUE]: out };
  },
};

export const parabolicsar: IndicatorDefinition = {
  type: 'parabolicsar',
  aliases: ['sar', 'psar'],
  name: 'Parabolic SAR',
  description: "Wilder's stop-and-reverse: SAR += af·(EP − SAR), af grows by step_af at each new extreme up to max_af.",
  category: 'trend',
  params: [
    floatParam('initial_af', 0.02, 0.001, 0.1, 'Acceleration factor after a reversal'),
    floatParam('step_af', 0.02, 0.001, 0.1, 'Increment at each new extreme'),
    floatParam('max_af', 0.2, 0.01, 1.0, 'Cap of the acceleration factor'),
  ],
  outputs: [VALUE],
  warmup: () => 1,
  checkParams: (p) =>
    num(p, 'initial_af') > num(p, 'max_af')
      ? [{ param: 'initial_af', message: 'initial_af must be ≤ max_af', severity: 'error' }]
      : [],
  compute(bars, p) {
    const { high: h, low: l } = bars;
    const n = h.length;
    const out = nanArray(n);
    if (n < 2) return { [VALUE]: out };
    const init = num(p, 'initial_af');
    const step = num(p, 'step_af');
    const max = num(p, 'max_af');
    let af = init;
    // TA-Lib: start short when bar 1 has a positive −DM, long otherwise
    const diffP = h[1] - h[0];
    const diffM = l[0] - l[1];
    let isLong = !(diffM > 0 && diffP < diffM);
    let ep = isLong ? h[1] : l[1];
    let sar = isLong ? l[0] : h[0];
    let newLow = l[1];
    let newHigh = h[1];
    for (let t = 1; t < n; t++) {
      const prevLow = newLow;
      const prevHigh = newHigh;
      newLow = l[t];
      newHigh = h[t];
      if (isLong) {
        if (newLow <= sar) {
          isLong = false;
          sar = ep;
          if (sar < prevHigh) sar = prevHigh;
          if (sar < newHigh) sar = newHigh;
          out[t] = sar;
          af = init;
          ep = newLow;
          sar = sar + af * (ep - sar);
          if (sar < prevHigh) sar = prevHigh;
          if (sar < newHigh) sar = newHigh;
        } else {
          out[t] = sar;
          if (newHigh > ep) {
            ep = newHigh;
            af += step;
            if (af > max) af = max;
          }
          sar = sar + af * (ep - sar);
          if (sar > prevLow) sar = prevLow;
          if (sar > newLow) sar = newLow;
        }
      } else if (newHigh >= sar) {
        isLong = true;
        sar = ep;
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
        out[t] = sar;
        af = init;
        ep = newHigh;
        sar = sar + af * (ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      } else {
        out[t] = sar;
        if (newLow < ep) {
          ep = newLow;
          af += step;
          if (af > max) af = max;
        }
        sar = sar + af * (ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      }
    }
    return { [VALUE]: out };
  },
  notes:
    'TA-Lib SAR (SAREXT when initial_af ≠ step_af). KTRDR picks the first trend from C1 > C0 and does not clamp ' +
    'a reversal SAR to the last two bars\' extremes; values differ until the first common reversal.',
};

export const ichimoku: IndicatorDefinition = {
  type: 'ichimoku',
  aliases: ['ichimokucloud'],
  name: 'Ichimoku Kinko Hyo',
  description:
    'tenkan/kijun = mid of the tenkan/kijun-period range; senkou A/B = the cloud under bar t, i.e. computed `displacement` ' +
    'bars earlier; chikou = the close of bar t (charted displacement bars back).',
  category: 'trend',
  params: [
    intParam('tenkan_period', 9, 1, 200, 'Conversion-line range'),
    intParam('kijun_period', 26, 1, 200, 'Base-line range'),
    intParam('senkou_b_period', 52, 1, 400, 'Leading span B range'),
    intParam('displacement', 26, 0, 200, 'Bars the cloud is projected forward (0 = undisplaced, as KTRDR)'),
  ],
  outputs: ['tenkan', 'kijun', 'senkou_a', 'senkou_b', 'chikou'],
  ...perOutputWarmups((p) => {
    const t = num(p, 'tenkan_period');
    const k = num(p, 'kijun_period');
    const b = num(p, 'senkou_b_period');
    const d = num(p, 'displacement');
    return { tenkan: t - 1, kijun: k - 1, senkou_a: Math.max(t, k) - 1 + d, senkou_b: b - 1 + d, chikou: 0 };
  }),
  compute(bars, p) {
    const { high: h, low: l, close: c } = bars;
    const n = c.length;
    const d = num(p, 'displacement');
    const mid = (period: number) => {
      const hi = nanArray(n);
      const lo = nanArray(n);
      rollingMaxInto(h, period, hi);
      rollingMinInto(l, period, lo);
      for (let i = period - 1; i < n; i++) lo[i] = (hi[i] + lo[i]) / 2;
      return lo;
    };
    const tenkan = mid(num(p, 'tenkan_period'));
    const kijun = mid(num(p, 'kijun_period'));
    const spanB = mid(num(p, 'senkou_b_period'));
    const senkouA = nanArray(n);
    const senkouB = nanArray(n);
    for (let i = d; i < n; i++) {
      senkouA[i] = (tenkan[i - d] + kijun[i - d]) / 2;
      senkouB[i] = spanB[i - d];
    }
    return { tenkan, kijun, senkou_a: senkouA, senkou_b: senkouB, chikou: Float64Array.from(c) };
  },
  notes:
    'Causal by construction. The senkou spans are charted `displacement` bars AHEAD of the bar that computed them, so ' +
    'the value at bar t is the one computed at t−displacement (the cloud a trader sees under bar t). The chikou span is ' +
    'the close charted displacement bars BACK; its value at bar t is close[t] (the point it adds at t−displacement) — ' +
    'shifting it back would put close[t+d] at t. KTRDR ignores `displacement`; displacement: 0 reproduces its senkou values.',
};

export const zigzag: IndicatorDefinition = {
  type: 'zigzag',
  name: 'ZigZag (causal)',
  description:
    'Swing pivots confirmed by a reversal of at least `threshold` (fraction): pivot = price of the last CONFIRMED pivot, ' +
    'direction = +1 after a confirmed low (up-leg), −1 after a confirmed high, 0 before the first.',
  category: 'support_resistance',
  params: [floatParam('threshold', 0.05, 0.0001, 0.9999, 'Reversal needed to confirm a pivot (0.05 = 5 %)'), sourceParam()],
  outputs: ['pivot', 'direction'],
  warmup: () => 0,
  compute(bars, p) {
    const x = src(bars, p);
    const t = num(p, 'threshold');
    const n = x.length;
    const pivot = nanArray(n);
    const direction = nanArray(n);
    if (n === 0) return { pivot, direction };
    let last = x[0]; // bar 0 counts as the first pivot, as in KTRDR
    let dir = 0;
    let hi = x[0];
    let lo = x[0];
    let ext = x[0]; // extreme of the current, not yet confirmed, leg
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (dir === 0) {
        if (v > hi) hi = v;
        if (v < lo) lo = v;
        if ((v - lo) / lo >= t) {
          last = lo;
          dir = 1;
          ext = v;
        } else if ((v - hi) / hi <= -t) {
          last = hi;
          dir = -1;
          ext = v;
        }
      } else if (dir === 1) {
        if (v > ext) ext = v;
        else if ((v - ext) / ext <= -t) {
          last = ext;
          dir = -1;
          ext = v;
        }
      } else if (v < ext) ext = v;
      else if ((v - ext) / ext >= t) {
        last = ext;
        dir = 1;
        ext = v;
      }
      pivot[i] = last;
      direction[i] = dir;
    }
    return { pivot, direction };
  },
  notes:
    'KTRDR\'s zigzag marks pivots at the bar where they occurred, which is only known once price has reversed by the ' +
    'threshold later: a look-ahead if used as a feature. This indicator reports at bar t only pivots confirmed by bar t ' +
    '(same threshold rule, chg = (p − ref)/ref), and bar 0 before the first confirmation. Zigzag LABELS (which may use ' +
    'the future) belong to the labelling code, not here.',
};

export const linearreg: IndicatorDefinition = {
  type: 'linearreg',
  aliases: ['linearregression'],
  name: 'Linear Regression',
  description: 'Least-squares line over `period` bars: fitted value at the newest bar, slope per bar, intercept (oldest bar), angle (degrees), one-bar forecast.',
  category: 'trend',
  params: [intParam('period', 14, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: ['value', 'slope', 'intercept', 'angle', 'forecast'],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const n = x.length;
    const outs = { value: nanArray(n), slope: nanArray(n), intercept: nanArray(n), angle: nanArray(n), forecast: nanArray(n) };
    linearRegressionInto(x, num(p, 'period'), outs);
    return outs;
  },
  notes: 'TA-Lib LINEARREG, LINEARREG_SLOPE, LINEARREG_INTERCEPT, LINEARREG_ANGLE and TSF in one pass.',
};

export const linearregslope: IndicatorDefinition = {
  type: 'linearregslope',
  name: 'Linear Regression Slope',
  description: 'Slope per bar of the least-squares line over `period` bars.',
  category: 'trend',
  params: [intParam('period', 14, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const slope = nanArray(x.length);
    linearRegressionInto(x, num(p, 'period'), { slope });
    return { [VALUE]: slope };
  },
};

export const tsf: IndicatorDefinition = {
  type: 'tsf',
  aliases: ['timeseriesforecast'],
  name: 'Time Series Forecast',
  description: 'Least-squares line over `period` bars extended one bar ahead (a forecast labelled at the bar that makes it).',
  category: 'trend',
  params: [intParam('period', 14, 2, 500, 'Window length in bars'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const forecast = nanArray(x.length);
    linearRegressionInto(x, num(p, 'period'), { forecast });
    return { [VALUE]: forecast };
  },
};

export const distancefromma: IndicatorDefinition = {
  type: 'distancefromma',
  aliases: ['distancefrommovingaverage'],
  name: 'Distance from Moving Average',
  description: '100·(x − MA)/MA, MA = SMA or EMA (TA-Lib seeding); 0 where |MA| ≤ 1e-10.',
  category: 'trend',
  params: [intParam('period', 20, 1, 200, 'Moving-average period'), choiceParam('ma_type', 'SMA', ['SMA', 'EMA'], 'Moving-average kind'), sourceParam()],
  outputs: [VALUE],
  warmup: (p) => num(p, 'period') - 1,
  compute(bars, p) {
    const x = src(bars, p);
    const period = num(p, 'period');
    const ma = nanArray(x.length);
    if (str(p, 'ma_type') === 'EMA') emaInto(x, period, ma);
    else smaInto(x, period, ma);
    for (let i = period - 1; i < x.length; i++) {
      const m = ma[i];
      ma[i] = Math.abs(m) <= 1e-10 ? 0 : (100 * (x[i] - m)) / m;
    }
    return { [VALUE]: ma };
  },
  notes: 'Not in TA-Lib. KTRDR\'s EMA variant uses pandas adjust=True; ours the TA-Lib EMA (NaN for period−1 bars).',
};

export const pivotpoints: IndicatorDefinition = {
  type: 'pivotpoints',
  aliases: ['pivots', 'pivot'],
  name: 'Pivot Points',
  description:
    'Floor-trader pivots from the previous `period` bars (H = their highest high, L = lowest low, C = previous close): ' +
    'classic, fibonacci or camarilla levels pp, r1..r3, s1..s3.',
  category: 'support_resistance',
  params: [
    intParam('period', 1, 1, 1000, 'Bars forming the reference range (1 = previous bar; 24 on H1 ≈ previous day)'),
    choiceParam('method', 'classic', ['classic', 'fibonacci', 'camarilla'], 'Level formulas'),
  ],
  outputs: ['pp', 'r1', 's1', 'r2', 's2', 'r3', 's3'],
  warmup: (p) => num(p, 'period'),
  compute(bars, p) {
    const { high: h, low: l, close: c } = bars;
    const n = c.length;
    const period = num(p, 'period');
    const method = str(p, 'method');
    const hi = nanArray(n);
    const lo = nanArray(n);
    rollingMaxInto(h, period, hi);
    rollingMinInto(l, period, lo);
    const o = { pp: nanArray(n), r1: nanArray(n), s1: nanArray(n), r2: nanArray(n), s2: nanArray(n), r3: nanArray(n), s3: nanArray(n) };
    for (let i = period; i < n; i++) {
      const H = hi[i - 1];
      const L = lo[i - 1];
      const C = c[i - 1];
      const R = H - L;
      const pp = (H + L + C) / 3;
      o.pp[i] = pp;
      if (method === 'classic') {
        o.r1[i] = 2 * pp - L;
        o.s1[i] = 2 * pp - H;
        o.r2[i] = pp + R;
        o.s2[i] = pp - R;
        o.r3[i] = H + 2 * (pp - L);
        o.s3[i] = L - 2 * (H - pp);
      } else if (method === 'fibonacci') {
        o.r1[i] = pp + 0.382 * R;
        o.s1[i] = pp - 0.382 * R;
        o.r2[i] = pp + 0.618 * R;
        o.s2[i] = pp - 0.618 * R;
        o.r3[i] = pp + R;
        o.s3[i] = pp - R;
      } else {
        o.r1[i] = C + (R * 1.1) / 12;
        o.s1[i] = C - (R * 1.1) / 12;
        o.r2[i] = C + (R * 1.1) / 6;
        o.s2[i] = C - (R * 1.1) / 6;
        o.r3[i] = C + (R * 1.1) / 4;
        o.s3[i] = C - (R * 1.1) / 4;
      }
    }
    return o;
  },
  notes:
    'Not in TA-Lib or KTRDR. Uses only bars before t (the current bar is not part of its own pivot). Calendar pivots ' +
    '(previous trading day) need session boundaries: compute them on a daily series and align it causally.',
};

function priceTransform(
  type: string,
  name: string,
  description: string,
  fn: (o: number, h: number, l: number, c: number) => number,
): IndicatorDefinition {
  return {
    type,
    name,
    description,
    category: 'other',
    params: [],
    outputs: [VALUE],
    warmup: () => 0,
    compute(bars) {
      const { open: o, high: h, low: l, close: c } = bars;
      const out = new Float64Array(c.length);
      for (let i = 0; i < c.length; i++) out[i] = fn(o[i], h[i], l[i], c[i]);
      return { [VALUE]: out };
    },
  };
}

export const typprice = priceTransform('typprice', 'Typical Price', '(H + L + C)/3', (_o, h, l, c) => (h + l + c) / 3.0);
export const medprice = priceTransform('medprice', 'Median Price', '(H + L)/2', (_o, h, l) => (h + l) / 2.0);
export const wclprice = priceTransform('wclprice', 'Weighted Close Price', '(H + L + 2·C)/4', (_o, h, l, c) => (h + l + c * 2.0) / 4.0);
export const avgprice = priceTransform('avgprice', 'Average Price', '(O + H + L + C)/4', (o, h, l, c) => (o + h + l + c) / 4.0);

export const TREND: IndicatorDefinition[] = [
  adx,
  dx,
  adxr,
  parabolicsar,
  ichimoku,
  zigzag,
  linearreg,
  linearregslope,
  tsf,
  distancefromma,
  pivotpoints,
  typprice,
  medprice,
  wclprice,
  avgprice,
];
