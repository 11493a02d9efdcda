// The walk-forward's aggregations on scripted slots with real child results (read through their
// contracts): a fold whose value is undefined (no trades: no Sharpe ratio) is left out of every mean
// and statistic and counted, never added as 0; a statistic with no defined value is null with the
// reason; the degradation ratio is over the folds that have both numbers.
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { walkForwardKind } from '../../../src/main/experiments/walk-forward';
import type { BacktestResult } from '../../../src/shared/results/backtest';
import { validateWalkForwardResult, type WalkForwardResult } from '../../../src/shared/results/walk-forward';
import { fixtures, scripted, WF_PLAN, WF_REQUEST, walkForwardFrom, type Fixtures, type ScriptedExperiment } from '../../helpers/experiments';
import type { ProducedBacktest } from '../../helpers/results';

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
}, 60_000);

let homes: string[] = [];
afterEach(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  homes = [];
});

/** A walk-forward of three folds with these out-of-sample (and, when given, in-sample) backtests. */
function run(oos: (ProducedBacktest | null)[], inSample?: (BacktestResult | null)[]): { r: WalkForwardResult; e: ScriptedExperiment } {
  const request = structuredClone(WF_REQUEST);
  request.backtest.in_sample = inSample !== undefined;
  const e = scripted(walkForwardKind, request, WF_PLAN);
  homes.push(e.home);
  oos.forEach((p, k) => {
    e.child(`fold-${k}/train`, f.training);
    if (p) e.child(`fold-${k}/backtest`, p.result, p);
    const is = inSample?.[k];
    if (is) e.child(`fold-${k}/is_backtest`, is);
  });
  return { r: validateWalkForwardResult(walkForwardKind.results(e.ctx)), e };
}

const withSharpe = (p: ProducedBacktest, sharpe: number): BacktestResult => ({ ...structuredClone(p.result), metrics: { ...p.result.metrics, sharpe_ratio: sharpe } });

describe('walk-forward aggregations skip undefined values and say how many folds counted', () => {
  it('a zero-trade fold is left out of the Sharpe statistics (not averaged in as 0), and counted as excluded', () => {
    const { result: r, experiment } = walkForwardFrom(f);
    homes.push(experiment.home);
    const s0 = f.trading.result.metrics.sharpe_ratio!;
    const s2 = f.other.result.metrics.sharpe_ratio!;
    expect(r.folds[1].oos_metrics!.sharpe_ratio).toBeNull();
    expect(r.folds[1].oos_metrics!.null_reasons.sharpe_ratio).toBe('no trades');
    const st = r.stability.sharpe_ratio;
    expect(st).toMatchObject({ folds: 2, excluded: 1 });
    expect(st.mean).toBeCloseTo((s0 + s2) / 2, 12);
    expect(st.mean).not.toBeCloseTo((s0 + s2) / 3, 6); // what adding the null as 0 would give
    expect(st.std).toBeCloseTo(Math.abs(s0 - s2) / Math.SQRT2, 12);
    expect(st.min).toBe(Math.min(s0, s2));
    // The return of a flat fold is defined (0): it counts.
    expect(r.stability.total_return).toMatchObject({ folds: 3, excluded: 0 });
    expect(r.stability.total_return.mean).toBeCloseTo((f.trading.result.metrics.total_return_pct + 0 + f.other.result.metrics.total_return_pct) / 3, 12);
    expect(r.stability.profitable_folds).toBe([f.trading, f.flat, f.other].filter((p) => p.result.metrics.total_return_pct > 0).length);
    // The flat fold's blocks say why they are null.
    expect(r.folds[1].significance).toBeNull();
    expect(r.folds[1].null_reasons.significance).toBe('no trades: no verdict');
  });

  it('no fold with a defined Sharpe ratio: the statistics are null with the folds’ reason, not 0', () => {
    const { r } = run([f.flat, f.flat, f.flat]);
    expect(r.stability.sharpe_ratio).toMatchObject({ folds: 0, excluded: 3, mean: null, std: null, min: null, max: null, positive_share: null });
    expect(r.stability.sharpe_ratio.null_reasons.mean).toBe('no completed fold has a defined Sharpe ratio (no trades)');
    expect(r.stability.profitable_folds).toBe(0);
    expect(r.stability.profitable_share).toBe(0);
    // The stitched curve never moved: its Sharpe is undefined, not 0.
    expect(r.stitched_metrics!.sharpe_ratio).toBeNull();
    expect(r.stitched_metrics!.null_reasons.sharpe_ratio).toMatch(/do not vary/);
  });

  it('no fold finished: every aggregate is null with the reason', () => {
    const { r } = run([null, null, null]);
    expect(r.stitched_metrics).toBeNull();
    expect(r.null_reasons.stitched_metrics).toBe('no fold finished its out-of-sample backtest');
    expect(r.costs_total).toBeNull();
    expect(r.stability.total_return.null_reasons.mean).toBe('no fold finished its out-of-sample backtest');
    expect(r.stability.profitable_share).toBeNull();
    expect(r.stability.null_reasons.profitable_share).toBe('no fold finished its out-of-sample backtest');
    expect(r.folds[0].null_reasons.oos_metrics).toBe('not run yet');
  });

  it('degradation: out-of-sample ÷ in-sample Sharpe over the folds that have both; the means are over those same folds', () => {
    // Fold 2 has no out-of-sample Sharpe (no trades): only folds 1 and 3 are paired.
    const { r } = run([f.trading, f.flat, f.other], [withSharpe(f.trading, 0.5), withSharpe(f.trading, 9), withSharpe(f.trading, 1.5)]);
    const d = r.degradation;
    expect(d.sharpe_folds).toBe(2);
    expect(d.in_sample_sharpe).toBeCloseTo((0.5 + 1.5) / 2, 12); // fold 2's 9 is not paired
    const oos = (f.trading.result.metrics.sharpe_ratio! + f.other.result.metrics.sharpe_ratio!) / 2;
    expect(d.out_of_sample_sharpe).toBeCloseTo(oos, 12);
    expect(d.sharpe_ratio).toBeCloseTo(oos / 1, 12);
    expect(d).toMatchObject({ basis: 'sharpe', ratio: d.sharpe_ratio });
    expect(d.accuracy_folds).toBe(3);
  });

  it('degradation: an in-sample Sharpe that is not positive gives no Sharpe ratio (a sign flip is not decay); the accuracy ratio is used and says so', () => {
    const { r } = run([f.trading, f.other, f.other], [withSharpe(f.trading, -0.5), withSharpe(f.trading, -0.2), withSharpe(f.trading, 0.1)]);
    const d = r.degradation;
    expect(d.sharpe_ratio).toBeNull();
    expect(d.null_reasons.sharpe_ratio).toMatch(/in-sample Sharpe averages -0\.20: a ratio to a Sharpe that is not positive/);
    expect(d.basis).toBe('accuracy');
    expect(d.ratio).toBeCloseTo(0.47 / 0.61, 12); // the training fixture: test 0.47, train 0.61 in every fold
    expect(d.in_sample_sharpe).toBeCloseTo(-0.2, 12);
  });

  it('without in-sample backtests: the Sharpe degradation says what it needs', () => {
    const { r } = run([f.trading, f.flat, f.other]);
    expect(r.degradation.sharpe_ratio).toBeNull();
    expect(r.degradation.null_reasons.sharpe_ratio).toBe('needs in-sample backtests (backtest.in_sample: true)');
    expect(r.degradation.sharpe_folds).toBe(0);
    expect(r.folds[0].null_reasons.in_sample_metrics).toBe('no in-sample backtest requested (backtest.in_sample: false)');
  });

  it('a fold whose training failed: its blocks say so, and the fold is left out of the statistics', () => {
    const request = structuredClone(WF_REQUEST);
    request.backtest.in_sample = false;
    const e = scripted(walkForwardKind, request, WF_PLAN);
    homes.push(e.home);
    e.put('fold-0/train', 'failed', { error: 'Could not read the child’s results: The training result does not match its schema (src/shared/results): beats_baseline: Invalid input' });
    for (const k of [1, 2]) {
      e.child(`fold-${k}/train`, f.training);
      e.child(`fold-${k}/backtest`, f.trading.result, f.trading);
    }
    expect(walkForwardKind.next(e.ctx)).toBeNull(); // the failed fold's backtest is skipped, not guessed
    const r = validateWalkForwardResult(walkForwardKind.results(e.ctx));
    expect(r.folds[0].status).toBe('failed');
    expect(r.folds[0].error).toMatch(/beats_baseline/);
    expect(r.folds[0].null_reasons.train_metrics).toMatch(/^training failed: Could not read/);
    expect(r.folds[0].null_reasons.oos_metrics).toMatch(/^no model: training failed: Could not read/);
    expect(r.stability.sharpe_ratio).toMatchObject({ folds: 2, excluded: 0 });
  });
});
