// The sweep's protocol on scripted slots (no workers), with real child results read through their
// contracts: ranking on the selection window only, never on an undefined or placeholder value, one
// final evaluation of the chosen trial on the holdout, and a deflated Sharpe whose V[SR] leaves out
// trials without a Sharpe ratio.
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { extractTraining } from '../../../src/main/experiments/child-requests';
import { sweepKind } from '../../../src/main/experiments/sweep';
import type { ChildRequest } from '../../../src/main/experiments/types';
import { expectedMaxSharpe, moments } from '../../../src/core/stats/deflated-sharpe';
import { curveReturns } from '../../../src/core/experiments/aggregate';
import type { BacktestResult } from '../../../src/shared/results/backtest';
import { ResultContractError } from '../../../src/shared/results/common';
import { validateSweepResult } from '../../../src/shared/results/sweep';
import { fixtures, scripted, SWEEP_PLAN, SWEEP_REQUEST, sweepFrom, type Fixtures, type ScriptedExperiment } from '../../helpers/experiments';
import { trainingResultFixture } from '../../helpers/results';

const kind = sweepKind((_p, name) => `/x/${name}`);
const REQUEST = { ...SWEEP_REQUEST, trials: 4, space: { 'indicators.rsi_14.period': { values: [7, 14, 21, 28] } } };
const PLAN = { ...SWEEP_PLAN, grid: [7, 14, 21, 28].map((v) => ({ 'indicators.rsi_14.period': v })) };

let f: Fixtures;
beforeAll(async () => {
  f = await fixtures();
}, 60_000);

/** A trading backtest with some metrics set (as the worker would have computed them). */
function withMetrics(over: Partial<BacktestResult['metrics']>): BacktestResult {
  const r = structuredClone(f.trading.result);
  r.metrics = { ...r.metrics, ...over };
  return r;
}

/** The same backtest as a result written before the contract: no version, KTRDR's placeholders (999999 for no losing trade). */
function legacyNoLoss(sharpe: number): Record<string, unknown> {
  const r = structuredClone(f.trading.result) as unknown as Record<string, unknown> & { metrics: Record<string, unknown> };
  delete r.schema_version;
  delete r.null_reasons;
  r.metrics = { ...r.metrics, sharpe_ratio: sharpe, profit_factor: 999_999, losing_trades: 0, null_reasons: undefined };
  return r;
}

describe('sweep protocol (issue 22.7, 22.8)', () => {
  let e: ScriptedExperiment;
  const trainAll = () => {
    for (let k = 0; k < 4; k++) e.child(`trial-${k}/train`, trainingResultFixture({ model_path: `models/s/1h_v${k + 1}` }));
  };
  function finishTrials() {
    trainAll();
    // #0 lost nothing: profit factor 999,999 in an older result (KTRDR's placeholder), and a Sharpe of 9.
    e.put('trial-0/select', 'completed', kind.extract('trial-0/select', legacyNoLoss(9)));
    // #1 never traded: no Sharpe ratio, which must not beat a negative one as a 0 would.
    e.child('trial-1/select', f.flat.result, f.flat);
    e.child('trial-2/select', withMetrics({ sharpe_ratio: -0.4, profit_factor: 0.8 }), f.trading);
    e.child('trial-3/select', withMetrics({ sharpe_ratio: -0.1, profit_factor: 0.95 }), f.other);
  }
  const begin = (plan: unknown = PLAN) => {
    e = scripted(kind, structuredClone(REQUEST), plan);
    for (let k = 0; k < 4; k++) e.put(`trial-${k}/spec`, 'data', { params: PLAN.grid[k], yaml: PLAN.strategy_yaml, yaml_path: `/x/trial-${k}.yaml`, valid: true, errors: [] }, null);
  };
  afterEach(() => rmSync(e.home, { recursive: true, force: true }));

  it('a trial without trades is not rankable on Sharpe, and says why; a placeholder profit factor never decides', () => {
    begin();
    finishTrials();
    const r = validateSweepResult(kind.results(e.ctx));
    expect(r.trials[1].objective).toBeNull();
    expect(r.trials[1].null_reasons.objective).toBe('no trades in the selection window');
    expect(r.trials[0].objective).toBe(9);
    expect(r.trials[0].selection_metrics!.profit_factor).toBeNull();
    expect(r.trials[0].selection_metrics!.null_reasons.profit_factor).toBe('no losing trade: unbounded');
    expect(r.best_trial!.trial).toBe(0);
    expect(r.rankable_trials).toBe(3);

    e.ctx.request.objective = 'oos_profit_factor';
    const pf = validateSweepResult(kind.results(e.ctx));
    expect(pf.trials[0].objective).toBeNull();
    expect(pf.best_trial!.trial).toBe(3); // 0.95: the best real profit factor, not 999,999 nor 0 trades
  });

  it('only the chosen trial is backtested, once, on the final holdout, after every trial is done', () => {
    begin();
    finishTrials();
    e.ctx.request.objective = 'oos_profit_factor';
    const next = kind.next(e.ctx) as ChildRequest;
    expect(next.slot).toBe('final/backtest');
    expect(next.params).toMatchObject({ start_date: PLAN.holdout.start, end_date: PLAN.holdout.end, model_path: 'models/s/1h_v4', commission: null, slippage: null, costs: null });
    expect(next.metadata).toMatchObject({ experiment_role: 'sweep_final_holdout_backtest', trial: 3 });
    expect(kind.done(e.ctx)).toBe(false);
    e.ctx.running.set('final/backtest', 'op_final');
    expect(kind.next(e.ctx)).toBeNull(); // never twice
    expect(validateSweepResult(kind.results(e.ctx)).final).toMatchObject({ trial: 3, status: 'backtesting', backtest: null, null_reasons: { backtest: 'waiting for the final backtest' } });
    e.ctx.running.clear();
    e.child('final/backtest', f.other.result, f.other, 'op_final');
    expect(kind.done(e.ctx)).toBe(true);
    const r = validateSweepResult(kind.results(e.ctx));
    expect(r.final).toMatchObject({ trial: 3, status: 'completed', backtest_operation_id: 'op_final' });
    expect(r.final!.backtest!.metrics.sharpe_ratio).toBe(f.other.result.metrics.sharpe_ratio);
    expect(r.final!.backtest!.costs).toEqual(f.other.result.costs);
    expect(r.final!.backtest!.significance).toEqual(f.other.result.significance);
    // The trials' own numbers stay the selection window's.
    expect(r.trials[3].metrics.oos_sharpe).toBe(-0.1);
  });

  it('while trials run, no child touches the holdout; trials train on the training window and are judged on the selection window', () => {
    begin();
    const first = kind.next(e.ctx) as ChildRequest;
    expect(first.params).toMatchObject({ start_date: PLAN.train.start, end_date: PLAN.train.end });
    e.child('trial-0/train', trainingResultFixture());
    e.ctx.running.set('trial-1/train', 'a');
    e.ctx.running.set('trial-2/train', 'b');
    e.ctx.running.set('trial-3/train', 'c');
    const sel = kind.next(e.ctx) as ChildRequest;
    expect(sel.slot).toBe('trial-0/select');
    expect(sel.params).toMatchObject({ start_date: PLAN.selection.start, end_date: PLAN.selection.end });
    // The results so far are valid, and say why each missing block is missing.
    const r = validateSweepResult(kind.results(e.ctx));
    expect(r.trials[0].null_reasons.selection_metrics).toBe('not backtested yet');
    expect(r.trials[1].null_reasons.training).toBe('not trained yet');
  });

  it('no final holdout (holdout = 0): no final evaluation, and the results say so', () => {
    begin({ ...PLAN, holdout: { start: null, end: null, bars: 0 } });
    finishTrials();
    expect(kind.next(e.ctx)).toBeNull();
    expect(kind.done(e.ctx)).toBe(true);
    const r = validateSweepResult(kind.results(e.ctx));
    expect(r.final).toBeNull();
    expect(r.null_reasons.final).toMatch(/no final holdout/);
  });

  it('degenerate training splits of a trial are warnings on the sweep, and an empty validation split makes val_accuracy unrankable', () => {
    begin();
    const splits = {
      method: 'time' as const,
      ratios: { train: 0.7, validation: 0.15, test: 0.15 },
      boundaries: { validation_start: null, test_start: '2017-06-01T00:00:00.000Z' },
      rows: { train: 2000, validation: 0, test: 400 },
      embargoed: { train: 30, validation: 450 },
      max_label_lookahead: 900,
      label_counts: { train: { BUY: 900, HOLD: 100, SELL: 1000 }, validation: { BUY: 0, HOLD: 0, SELL: 0 }, test: { BUY: 100, HOLD: 20, SELL: 280 } },
      per_symbol: null,
      warnings: [{ split: 'validation' as const, kind: 'empty' as const, rows: 0, message: 'The validation split is empty (450 of its rows were embargoed because their labels look into the next split)' }],
    };
    const base = trainingResultFixture();
    const noValidation = { final_val_loss: null, final_val_accuracy: null, best_val_accuracy: null, max_val_accuracy: null, best_val_loss: null };
    const t = trainingResultFixture({
      training_metrics: { ...base.training_metrics, ...noValidation, null_reasons: Object.fromEntries(Object.keys(noValidation).map((k) => [k, 'no validation split'])) },
      data_summary: { ...base.data_summary, splits },
    });
    const summary = extractTraining(t);
    expect(summary.val_accuracy).toBeNull();
    expect(summary.null_reasons.val_accuracy).toBe('the validation split is empty (450 rows embargoed)');
    expect(kind.slotWarnings('trial-2/train', summary)).toEqual(['Trial 3: The validation split is empty (450 of its rows were embargoed because their labels look into the next split)']);
    e.ctx.request.objective = 'val_accuracy';
    e.child('trial-0/train', t);
    e.child('trial-0/select', f.trading.result, f.trading);
    const r = validateSweepResult(kind.results(e.ctx));
    expect(r.trials[0].objective).toBeNull();
    expect(r.trials[0].null_reasons.objective).toBe('the validation split is empty (450 rows embargoed)');
    expect(r.warnings).toEqual([{ source: 'trial 1', message: expect.stringMatching(/validation split is empty/) }]);
  });

  it('a child result that does not match its contract is refused with the field named (the scheduler fails that slot with it), never read as a guess', () => {
    begin();
    const renamed = structuredClone(f.trading.result) as unknown as { metrics: Record<string, unknown> };
    renamed.metrics.sharpe = renamed.metrics.sharpe_ratio;
    delete renamed.metrics.sharpe_ratio;
    expect(() => kind.extract('trial-0/select', renamed)).toThrow(ResultContractError);
    expect(() => kind.extract('trial-0/select', renamed)).toThrow(/metrics\.sharpe_ratio/);
    const training = structuredClone(trainingResultFixture()) as unknown as Record<string, unknown>;
    delete training.beats_baseline;
    expect(() => kind.extract('trial-0/train', training)).toThrow(/beats_baseline/);
  });
});

describe('extractTraining reads the training result as the pipeline writes it (issue 22.3)', () => {
  it('beats_baseline is the result’s top-level verdict, null with the reason when there is none', () => {
    expect(extractTraining(trainingResultFixture({ beats_baseline: true })).beats_baseline).toBe(true);
    expect(extractTraining(trainingResultFixture({ beats_baseline: false })).beats_baseline).toBe(false);
    const none = extractTraining(trainingResultFixture({ beats_baseline: null, null_reasons: { beats_baseline: 'no test split' } }));
    expect(none.beats_baseline).toBeNull();
    expect(none.null_reasons.beats_baseline).toBe('no test split');
  });
});

describe('the deflated Sharpe over the trials', () => {
  it('N counts every trial with a selection backtest; V[SR] is over the trials whose Sharpe is defined, never a flat trial’s 0', () => {
    const { result: r, experiment } = sweepFrom(f);
    try {
      const d = r.overfitting.deflated_sharpe!;
      expect(d.trials).toBe(3); // trial 2 never traded, but it was tried
      expect(d.variance_trials).toBe(2);
      // Per-bar Sharpe ratios of the two trading trials' selection-window returns, cut to the shortest.
      const t = r.overfitting.observations!;
      const sr = [f.trading, f.other].map((p) => {
        const m = moments(curveReturns(p.equity.values, p.equity.initial_capital).slice(-t));
        return m.mean / m.std;
      });
      const variance = (sr[0] - sr[1]) ** 2 / 2; // sample variance of two values
      expect(d.sharpe_variance).toBeCloseTo(variance, 15);
      expect(d.sharpe).toBeCloseTo(sr[0], 15); // trial 1 is chosen (highest selection Sharpe)
      // With the flat trial's 0 among them the variance (and the bar SR₀) would be another.
      const withZero = [...sr, 0];
      const mean0 = withZero.reduce((a, b) => a + b, 0) / 3;
      expect(withZero.reduce((a, x) => a + (x - mean0) ** 2, 0) / 2).not.toBeCloseTo(variance, 6);
      expect(d.expected_max_sharpe).toBeCloseTo(expectedMaxSharpe(3, variance), 15);
    } finally {
      rmSync(experiment.home, { recursive: true, force: true });
    }
  });

  it('is null with the reason when fewer than two trials have a defined Sharpe ratio', () => {
    const e = scripted(kind, structuredClone(SWEEP_REQUEST), SWEEP_PLAN);
    try {
      for (let k = 0; k < 3; k++) {
        e.put(`trial-${k}/spec`, 'data', { params: SWEEP_PLAN.grid![k], yaml: SWEEP_PLAN.strategy_yaml, yaml_path: `/x/trial-${k}.yaml`, valid: true, errors: [] }, null);
        e.child(`trial-${k}/train`, trainingResultFixture());
        e.child(`trial-${k}/select`, k === 0 ? f.trading.result : f.flat.result, k === 0 ? f.trading : f.flat);
      }
      const r = validateSweepResult(kind.results(e.ctx));
      expect(r.overfitting.deflated_sharpe).toBeNull();
      expect(r.overfitting.null_reasons.deflated_sharpe).toMatch(/at least two trials whose selection-window Sharpe ratio is defined \(have 1/);
    } finally {
      rmSync(e.home, { recursive: true, force: true });
    }
  });
});
