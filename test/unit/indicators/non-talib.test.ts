// Indicators TA-Lib does not have, checked against hand-worked numbers and naive O(n·k) references written
// independently of the fast kernels (explicit windows, no running sums), plus the zero-volume rules.
import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import { computeIndicator } from '../../../src/core/indicators/registry';
import { fixtureBars, loadTalibFixture } from './fixtures';
import { randomWalkBars } from './synthetic';

const bars = randomWalkBars(300, { seed: 21 });
const n = bars.close.length;

function window(x: ArrayLike<number>, i: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) => x[i - k + 1 + j]);
}
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const popStd = (a: number[]) => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};
function naiveWma(x: ArrayLike<number>, i: number, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += (k - j) * x[i - j];
  return s / ((k * (k + 1)) / 2);
}

/** Asserts equality to `digits`-level relative precision where the reference is defined, NaN elsewhere. */
function expectSeries(got: Float64Array, want: (i: number) => number, from: number, rel = 1e-10): void {
  for (let i = 0; i < got.length; i++) {
    if (i < from) {
      expect(got[i], `[${i}] should be NaN`).toBeNaN();
      continue;
    }
    const w = want(i);
    const tol = rel * Math.max(1, Math.abs(w));
    if (!(Math.abs(got[i] - w) <= tol)) expect.fail(`[${i}]: got ${got[i]}, want ${w}`);
  }
}

function barsFrom(rows: [number, number, number, number, number?][]): BarSeries {
  const k = rows.length;
  const col = (j: number) => Float64Array.from(rows.map((r) => r[j] ?? 0));
  return {
    symbol: 'T',
    timeframe: '1h',
    time: Float64Array.from({ length: k }, (_, i) => i * 3_600_000),
    open: col(0),
    high: col(1),
    low: col(2),
    close: col(3),
    volume: col(4),
  };
}

describe('hma', () => {
  it('equals WMA(2·WMA(n/2) − WMA(n), √n) computed naively', () => {
    const k = 16;
    const half = 8;
    const root = 4;
    const diff = (i: number) => 2 * naiveWma(bars.close, i, half) - naiveWma(bars.close, i, k);
    const want = (i: number) => {
      let s = 0;
      for (let j = 0; j < root; j++) s += (root - j) * diff(i - j);
      return s / ((root * (root + 1)) / 2);
    };
    expectSeries(computeIndicator('hma', bars, { period: k }).value, want, k - 1 + root - 1);
  });
});

describe('zscore', () => {
  it('is (x − mean)/population σ of the window', () => {
    const k = 12;
    expectSeries(
      computeIndicator('zscore', bars, { period: k }).value,
      (i) => (bars.close[i] - mean(window(bars.close, i, k))) / popStd(window(bars.close, i, k)),
      k - 1,
      1e-7, // z divides by σ: its relative error is σ's, ~1e-9 on random-walk windows
    );
  });
  it('is 0 on a flat window', () => {
    const flat = barsFrom(Array.from({ length: 10 }, () => [5, 5, 5, 5, 0] as [number, number, number, number, number]));
    expect(Array.from(computeIndicator('zscore', flat, { period: 3 }).value.slice(2))).toEqual(new Array(8).fill(0));
  });
});

describe('vwap', () => {
  it('rolling: Σ TP·V / Σ V over the window', () => {
    const k = 10;
    const tp = (i: number) => (bars.high[i] + bars.low[i] + bars.close[i]) / 3;
    const want = (i: number) => {
      let pv = 0;
      let v = 0;
      for (let j = i - k + 1; j <= i; j++) {
      pv += tp(j) * bars.volume[j];
      v += bars.volume[j];
    }
      return pv / v;
    };
    expectSeries(computeIndicator('vwap', bars, { period: k }).value, want, k - 1);
  });
  it('cumulative (period 0) with the close', () => {
    let pv = 0;
    let v = 0;
    const want: number[] = [];
    for (let i = 0; i < n; i++) {
      pv += bars.close[i] * bars.volume[i];
      v += bars.volume[i];
      want.push(pv / v);
    }
    expectSeries(computeIndicator('vwap', bars, { period: 0, use_typical_price: false }).value, (i) => want[i], 0);
  });
});

describe('donchianchannels and ichimoku', () => {
  const hi = (i: number, k: number) => Math.max(...window(bars.high, i, k));
  const lo = (i: number, k: number) => Math.min(...window(bars.low, i, k));

  it('donchian = window extremes and their mean', () => {
    const out = computeIndicator('donchianchannels', bars, { period: 20 });
    expectSeries(out.upper, (i) => hi(i, 20), 19, 0);
    expectSeries(out.lower, (i) => lo(i, 20), 19, 0);
    expectSeries(out.middle, (i) => (hi(i, 20) + lo(i, 20)) / 2, 19, 0);
  });

  it('ichimoku: spans displaced forward so bar t shows the cloud computed at t−d; chikou = close', () => {
    const d = 26;
    const out = computeIndicator('ichimoku', bars, {});
    const mid = (i: number, k: number) => (hi(i, k) + lo(i, k)) / 2;
    expectSeries(out.tenkan, (i) => mid(i, 9), 8, 0);
    expectSeries(out.kijun, (i) => mid(i, 26), 25, 0);
    expectSeries(out.senkou_a, (i) => (mid(i - d, 9) + mid(i - d, 26)) / 2, 25 + d, 0);
    expectSeries(out.senkou_b, (i) => mid(i - d, 52), 51 + d, 0);
    expectSeries(out.chikou, (i) => bars.close[i], 0, 0);
  });

  it('ichimoku displacement 0 gives KTRDR\'s undisplaced spans', () => {
    const out = computeIndicator('ichimoku', bars, { displacement: 0 });
    expectSeries(out.senkou_a, (i) => ((hi(i, 9) + lo(i, 9)) / 2 + (hi(i, 26) + lo(i, 26)) / 2) / 2, 25, 0);
  });
});

describe('compositions of TA-Lib-verified parts', () => {
  const ema20 = computeIndicator('ema', bars, { period: 20 }).value;
  const atr10 = computeIndicator('atr', bars, { period: 10 }).value;
  const bb = computeIndicator('bbands', bars, { period: 20, multiplier: 2 });

  it('keltnerchannels = EMA ± m·ATR', () => {
    const out = computeIndicator('keltnerchannels', bars, { period: 20, atr_period: 10, multiplier: 1.5 });
    expectSeries(out.middle, (i) => ema20[i], 19, 0);
    expectSeries(out.upper, (i) => ema20[i] + 1.5 * atr10[i], 19);
    expectSeries(out.lower, (i) => ema20[i] - 1.5 * atr10[i], 19);
  });

  it('bollingerbandwidth = (upper − lower)/middle', () => {
    const out = computeIndicator('bollingerbandwidth', bars, {}).value;
    expectSeries(out, (i) => (bb.upper[i] - bb.lower[i]) / bb.middle[i], 19, 1e-9);
  });

  it('squeezeintensity from bands and channel', () => {
    const kc = computeIndicator('keltnerchannels', bars, { period: 20, atr_period: 10, multiplier: 2 });
    const out = computeIndicator('squeezeintensity', bars, {}).value;
    expectSeries(
      out,
      (i) => {
        const r = kc.upper[i] - kc.lower[i];
        return Math.max(0, Math.min((kc.upper[i] - bb.upper[i]) / r, (bb.lower[i] - kc.lower[i]) / r));
      },
      19,
      1e-9,
    );
    expect(out.some((v) => v > 0)).toBe(true); // the random walk does squeeze at times
  });

  it('distancefromma = 100·(x − MA)/MA for SMA and EMA', () => {
    const sma = computeIndicator('sma', bars, { period: 20 }).value;
    expectSeries(computeIndicator('distancefromma', bars, {}).value, (i) => (100 * (bars.close[i] - sma[i])) / sma[i], 19);
    expectSeries(
      computeIndicator('distancefromma', bars, { ma_type: 'EMA' }).value,
      (i) => (100 * (bars.close[i] - ema20[i])) / ema20[i],
      19,
    );
  });
});

describe('fishertransform', () => {
  it('matches the formula with an SMA-seeded EMA', () => {
    const k = 10;
    const s = 3;
    const raw = (i: number) => {
      const h = Math.max(...window(bars.high, i, k));
      const l = Math.min(...window(bars.low, i, k));
      const v = Math.min(0.999, Math.max(-0.999, (2 * ((bars.high[i] + bars.low[i]) / 2 - l)) / (h - l) - 1));
      return 0.5 * Math.log((1 + v) / (1 - v));
    };
    const fisher: number[] = new Array(n).fill(NaN);
    fisher[k + s - 2] = mean([raw(k - 1), raw(k), raw(k + 1)]);
    for (let i = k + s - 1; i < n; i++) fisher[i] = fisher[i - 1] + (2 / (s + 1)) * (raw(i) - fisher[i - 1]);
    const out = computeIndicator('fishertransform', bars, {});
    expectSeries(out.fisher, (i) => fisher[i], k + s - 2);
    expectSeries(out.signal, (i) => fisher[i - 1], k + s - 1);
  });
});

describe('rvi', () => {
  it('is SMA(weighted C−O)/SMA(weighted H−L), signal = SMA(rvi)', () => {
    const k = 10;
    const sig = 4;
    const w = (a: Float64Array, b: Float64Array, i: number) =>
      (a[i - 3] - b[i - 3] + 2 * (a[i - 2] - b[i - 2]) + 2 * (a[i - 1] - b[i - 1]) + (a[i] - b[i])) / 6;
    const rvi = (i: number) => {
      let nu = 0;
      let de = 0;
      for (let j = i - k + 1; j <= i; j++) {
      nu += w(bars.close, bars.open, j);
      de += w(bars.high, bars.low, j);
    }
      return nu / de;
    };
    const out = computeIndicator('rvi', bars, {});
    expectSeries(out.rvi, rvi, k + 2, 1e-9);
    expectSeries(out.signal, (i) => mean([rvi(i - 3), rvi(i - 2), rvi(i - 1), rvi(i)]), k + 2 + sig - 1, 1e-9);
  });
});

describe('supertrend', () => {
  it('follows the ratchet/flip rules over TA-Lib ATR (naive re-statement)', () => {
    const period = 10;
    const m = 3;
    const atr = computeIndicator('atr', bars, { period }).value;
    const out = computeIndicator('supertrend', bars, { period, multiplier: m });
    const up: number[] = [];
    const dn: number[] = [];
    let dir = 0;
    for (let i = period; i < n; i++) {
      const mid = (bars.high[i] + bars.low[i]) / 2;
      const bu = mid + m * atr[i];
      const bl = mid - m * atr[i];
      if (i === period) {
        up[i] = bu;
        dn[i] = bl;
        dir = bars.close[i] >= mid ? 1 : -1;
      } else {
        up[i] = bars.close[i - 1] > up[i - 1] ? bu : Math.min(bu, up[i - 1]);
        dn[i] = bars.close[i - 1] < dn[i - 1] ? bl : Math.max(bl, dn[i - 1]);
        if (dir === 1 && bars.close[i] < dn[i]) dir = -1;
        else if (dir === -1 && bars.close[i] > up[i]) dir = 1;
      }
      expect(out.direction[i]).toBe(dir);
      expect(out.trend[i]).toBeCloseTo(dir === 1 ? dn[i] : up[i], 10);
      // the trend line is on the right side of price
      if (dir === 1) expect(out.trend[i]).toBeLessThanOrEqual(bars.close[i]);
      else expect(out.trend[i]).toBeGreaterThanOrEqual(bars.close[i]);
    }
    expect(new Set(Array.from(out.direction.slice(period))).size).toBe(2); // it flips on a random walk
  });
});

describe('pivotpoints', () => {
  const b = barsFrom([
    [104, 110, 100, 105],
    [105, 108, 101, 107],
  ]);
  it('classic levels from the previous bar (H 110, L 100, C 105)', () => {
    const out = computeIndicator('pivotpoints', b, {});
    const at1 = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v[1]]));
    expect(at1).toEqual({ pp: 105, r1: 110, s1: 100, r2: 115, s2: 95, r3: 120, s3: 90 });
    expect(out.pp[0]).toBeNaN();
  });
  it('fibonacci and camarilla', () => {
    const f = computeIndicator('pivotpoints', b, { method: 'fibonacci' });
    expect(f.r1[1]).toBeCloseTo(105 + 3.82, 12);
    expect(f.s3[1]).toBeCloseTo(95, 12);
    const c = computeIndicator('pivotpoints', b, { method: 'camarilla' });
    expect(c.r3[1]).toBeCloseTo(105 + 11 / 4, 12);
    expect(c.s1[1]).toBeCloseTo(105 - 11 / 12, 12);
  });
  it('period 2 takes the range of the two previous bars', () => {
    const three = barsFrom([
      [104, 110, 100, 105],
      [105, 112, 103, 107],
      [107, 108, 106, 107],
    ]);
    expect(computeIndicator('pivotpoints', three, { period: 2 }).pp[2]).toBeCloseTo((112 + 100 + 107) / 3, 12);
  });
});

describe('zigzag (causal)', () => {
  it('reports a pivot only once the reversal confirms it', () => {
    const prices = [100, 103, 106, 100, 95, 99, 104, 110, 104];
    const b = barsFrom(prices.map((p) => [p, p, p, p]));
    const out = computeIndicator('zigzag', b, { threshold: 0.05 });
    expect(Array.from(out.pivot)).toEqual([100, 100, 100, 106, 106, 106, 95, 95, 110]);
    expect(Array.from(out.direction)).toEqual([0, 0, 1, -1, -1, -1, 1, 1, -1]);
  });
});

describe('cmf and volumeratio', () => {
  it('cmf = Σ mfm·V / Σ V over the window', () => {
    const k = 21;
    const mfm = (i: number) => {
      const r = bars.high[i] - bars.low[i];
      return r > 0 ? (bars.close[i] - bars.low[i] - (bars.high[i] - bars.close[i])) / r : 0;
    };
    const want = (i: number) => {
      let a = 0;
      let v = 0;
      for (let j = i - k + 1; j <= i; j++) {
      a += mfm(j) * bars.volume[j];
      v += bars.volume[j];
    }
      return a / v;
    };
    expectSeries(computeIndicator('cmf', bars, {}).cmf, want, k - 1);
  });
  it('volumeratio = V / mean(V over the window)', () => {
    expectSeries(
      computeIndicator('volumeratio', bars, { period: 5 }).value,
      (i) => bars.volume[i] / mean(window(bars.volume, i, 5)),
      4,
    );
  });
});

describe('all-zero volume (EURUSD H1 sample): documented neutral values, never NaN or Infinity', () => {
  const fx = fixtureBars(loadTalibFixture('eurusd_h1'));
  const after = (a: Float64Array, w: number) => Array.from(a.slice(w));
  const only = (a: number[], v: number) => a.every((x) => x === v);

  it('mfi = 50, cmf = 0 (signal/histogram 0), volumeratio = 1', () => {
    expect(only(after(computeIndicator('mfi', fx).value, 14), 50)).toBe(true);
    const cmf = computeIndicator('cmf', fx);
    expect(only(after(cmf.cmf, 20), 0)).toBe(true);
    expect(only(after(cmf.histogram, 28), 0)).toBe(true);
    expect(only(after(computeIndicator('volumeratio', fx).value, 19), 1)).toBe(true);
  });

  it('obv, adline, adosc stay at 0', () => {
    expect(only(after(computeIndicator('obv', fx).value, 0), 0)).toBe(true);
    expect(only(after(computeIndicator('adline', fx).line, 0), 0)).toBe(true);
    expect(only(after(computeIndicator('adosc', fx).value, 9), 0)).toBe(true);
  });

  it('vwap falls back to the equal-weight mean price', () => {
    const out = computeIndicator('vwap', fx, { period: 10 }).value;
    const tp = (i: number) => (fx.high[i] + fx.low[i] + fx.close[i]) / 3;
    expectSeries(out, (i) => mean(Array.from({ length: 10 }, (_, j) => tp(i - 9 + j))), 9);
  });

  it('a zero-volume stretch after real volume returns to the neutral values exactly', () => {
    const mixed = randomWalkBars(400, { seed: 8, volume: 'mixed' }); // volume 0 on bars i % 150 ≥ 100
    const mfi = computeIndicator('mfi', mixed, { period: 14 }).value;
    const cmf = computeIndicator('cmf', mixed, { period: 21 }).cmf;
    const vr = computeIndicator('volumeratio', mixed, { period: 20 }).value;
    expect(mfi[149]).toBe(50); // bars 136..149 carry no volume
    expect(cmf[149]).toBe(0);
    expect(vr[149]).toBe(1);
    expect(mfi[160]).not.toBe(50);
  });
});
