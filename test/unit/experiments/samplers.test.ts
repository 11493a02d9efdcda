import { describe, expect, it } from 'vitest';
import { parseSpace } from '../../../src/core/experiments/space';
import { gridOrder, gridPoints, numericParzen, parzenLogPdf, sampleRandom, sampleTpe, splitGoodBad, tpeGoodCount, tpeWeights, type FinishedTrial } from '../../../src/core/experiments/samplers';

const space = parseSpace({ p: { min: 5, max: 25, step: 5 }, lr: { min: 0.0001, max: 0.1, log: true }, layers: { values: [[32], [64, 32]] } }).space;

describe('grid and random samplers', () => {
  it('grid enumerates the cartesian product; a seeded order is a permutation', () => {
    const pts = gridPoints({ p: space.p, layers: space.layers });
    expect(pts).toHaveLength(10); // 5 × 2
    expect(pts[0]).toEqual({ p: 5, layers: [32] });
    const order = gridOrder({ p: space.p, layers: space.layers }, 7);
    expect(order.map((x) => JSON.stringify(x)).sort()).toEqual(pts.map((x) => JSON.stringify(x)).sort());
    expect(gridOrder({ p: space.p, layers: space.layers }, 7)).toEqual(order);
    expect(() => gridPoints({ lr: space.lr })).toThrow(/grid needs values or a step/);
  });

  it('random draws are seeded per trial, inside bounds, on the step grid', () => {
    const a = sampleRandom(space, 42, 3);
    expect(sampleRandom(space, 42, 3)).toEqual(a);
    expect(sampleRandom(space, 42, 4)).not.toEqual(a);
    for (let k = 0; k < 200; k++) {
      const s = sampleRandom(space, 1, k);
      expect([5, 10, 15, 20, 25]).toContain(s.p);
      expect(s.lr as number).toBeGreaterThanOrEqual(0.0001);
      expect(s.lr as number).toBeLessThanOrEqual(0.1);
    }
  });
});

describe('TPE (after Optuna TPESampler)', () => {
  it("gamma and weights follow Optuna's defaults", () => {
    expect([1, 10, 11, 100, 300].map(tpeGoodCount)).toEqual([1, 1, 2, 10, 25]);
    expect(tpeWeights(3)).toEqual([1, 1, 1]);
    const w = tpeWeights(27); // ramp of 2 from 1/27 to 1, then 25 ones
    expect(w).toHaveLength(27);
    expect(w[0]).toBeCloseTo(1 / 27, 12);
    expect(w[1]).toBe(1);
  });

  it('Parzen bandwidths by hand: observations 0.2, 0.9 on [0, 1] plus the prior at 0.5', () => {
    // sorted with endpoints: [0, 0.2, 0.5, 0.9, 1]; σ = max gap to neighbours: 0.2→max(.2,.3)=.3,
    // 0.5→max(.3,.4)=.4, 0.9→max(.4,.1)=.4; endpoints off: first = 0.5−0.2 = 0.3, last = 0.9−0.5 = 0.4.
    // Clip to [1/min(100, 1+3), 1] = [0.25, 1]; the prior's σ = 1. Weights 1,1,1 → 1/3 each.
    const p = numericParzen([0.2, 0.9], [1, 1], 0, 1, null, 1);
    expect(p.mus).toEqual([0.2, 0.9, 0.5]);
    expect(p.sigmas.map((s) => +s.toFixed(12))).toEqual([0.3, 0.4, 1]);
    expect(p.weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // the mixture is a density on [0, 1]: ∫ ≈ 1
    let integral = 0;
    for (let i = 0; i < 10_000; i++) integral += Math.exp(parzenLogPdf(p, (i + 0.5) / 10_000)) / 10_000;
    expect(integral).toBeCloseTo(1, 4);
  });

  it('splits good/bad at gamma and, past the start-up trials, draws near the good region', () => {
    const x = parseSpace({ x: { min: 0, max: 1 } }).space;
    // Objective peaks at x = 0.8: history of 30 evenly spread trials.
    const history: FinishedTrial[] = Array.from({ length: 30 }, (_, i) => ({ number: i, params: { x: i / 29 }, value: -Math.abs(i / 29 - 0.8) }));
    const { good, bad } = splitGoodBad(history);
    expect(good.map((t) => t.number)).toEqual([22, 23, 24]); // ⌈0.1·30⌉ = 3 closest to 0.8
    expect(bad).toHaveLength(27);
    const draws = Array.from({ length: 40 }, (_, k) => sampleTpe(x, history, 5, 100 + k).x as number);
    const meanDist = draws.reduce((a, d) => a + Math.abs(d - 0.8), 0) / draws.length;
    expect(meanDist).toBeLessThan(0.1); // uniform draws would average ≈ 0.34 from 0.8
    expect(sampleTpe(x, history, 5, 100)).toEqual(sampleTpe(x, history, 5, 100)); // seeded
    expect(sampleTpe(x, history.slice(0, 5), 5, 7)).toEqual(sampleRandom(x, 5, 7)); // start-up: random
  });
});
