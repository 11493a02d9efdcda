// Look-ahead guard over EVERY registered indicator and output, plus negative controls proving the check bites.
import { describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import { INDICATORS, computeIndicator } from '../../../src/core/indicators/registry';
import { resolveParams } from '../../../src/core/indicators/params';
import type { IndicatorDefinition } from '../../../src/core/indicators/types';
import { LookaheadError, assertNoLookahead, defaultCutPoints } from './lookahead';
import { randomWalkBars } from './synthetic';
import { paramVariants } from './variants';

const N = 400;
const SERIES: [string, BarSeries][] = [
  ['random walk', randomWalkBars(N, { seed: 7 })],
  ['flat runs + zero-volume stretches', randomWalkBars(N, { seed: 11, flatRuns: true, volume: 'mixed' })],
];

describe('no indicator output uses a later bar', () => {
  for (const def of INDICATORS) {
    for (const raw of paramVariants(def)) {
      it(`${def.type} ${JSON.stringify(raw)}`, () => {
        const { params } = resolveParams(def, raw);
        const warm = def.warmup(params);
        for (const [, bars] of SERIES) {
          assertNoLookahead((b) => computeIndicator(def.type, b, raw), bars, defaultCutPoints(N, warm));
        }
      });
    }
  }
});

describe('assertNoLookahead catches peeking computations (negative controls)', () => {
  const bars = randomWalkBars(200, { seed: 3 });
  const cuts = defaultCutPoints(200, 20);

  it('next-bar close (close[i+1]) is caught', () => {
    const peek = (b: BarSeries) => {
      const out = new Float64Array(b.close.length).fill(NaN);
      for (let i = 0; i + 1 < b.close.length; i++) out[i] = b.close[i + 1];
      return { value: out };
    };
    expect(() => assertNoLookahead(peek, bars, cuts)).toThrow(LookaheadError);
  });

  it('normalising by the whole-series maximum is caught', () => {
    const peek = (b: BarSeries) => {
      let max = -Infinity;
      for (const x of b.close) max = Math.max(max, x);
      return { value: b.close.map((x) => x / max) };
    };
    expect(() => assertNoLookahead(peek, bars, cuts)).toThrow(LookaheadError);
  });

  it('a centred window (Ichimoku chikou shifted back: close[i+26]) is caught', () => {
    const peek = (b: BarSeries) => ({ chikou: b.close.map((_, i) => (i + 26 < b.close.length ? b.close[i + 26] : NaN)) });
    expect(() => assertNoLookahead(peek, bars, cuts)).toThrow(/uses later bars/);
  });

  it('a causal computation passes', () => {
    const causal = (b: BarSeries) => ({ value: b.close.map((x, i) => (i > 0 ? x - b.close[i - 1] : NaN)) });
    expect(() => assertNoLookahead(causal, bars, cuts)).not.toThrow();
  });

  it('is usable with one indicator definition directly', () => {
    const def: IndicatorDefinition | undefined = INDICATORS.find((d) => d.type === 'zigzag');
    expect(def).toBeDefined();
    assertNoLookahead((b) => computeIndicator('zigzag', b, { threshold: 0.01 }), bars, cuts);
  });
});
