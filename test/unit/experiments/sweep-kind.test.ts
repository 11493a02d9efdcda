// The sweep's protocol on scripted slots (no workers): ranking on the selection window only, never on
// an undefined or placeholder value, and one final evaluation of the chosen trial on the holdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractBacktest, extractTraining } from '../../../src/main/experiments/child-requests';
import type { SlotRecord, SlotStatus } from '../../../src/main/experiments/slot-store';
import { sweepKind, type SweepPlan } from '../../../src/main/experiments/sweep';
import type { ChildRequest, KindContext } from '../../../src/main/experiments/types';
import { sweepResultSchema } from '../../../src/shared/results/sweep';

const PLAN: SweepPlan = {
  strategy_yaml: 'name: s\nindicators:\n  rsi_14:\n    type: rsi\n    period: 14\n',
  strategy_path: '/x/strategy.yaml',
  train: { start: '2017-01-01T00:00:00.000Z', end: '2017-06-30T23:00:00.000Z', bars: 3000 },
  selection: { start: '2017-07-03T00:00:00.000Z', end: '2017-09-29T23:00:00.000Z', bars: 1000 },
  holdout: { start: '2017-10-02T00:00:00.000Z', end: '2017-12-29T21:00:00.000Z', bars: 1000 },
};

/** A training child's result as the pipeline writes it (the fields the experiment reads). */
const trained = (k: number, valAcc: number | null) => ({
  model_path: `models/s/1h_v${k + 1}`,
  beats_baseline: true,
  training_metrics: { epochs_trained: 3, final_train_accuracy: 0.6, final_train_loss: 0.9, best_val_accuracy: valAcc, best_val_loss: valAcc === null ? null : 1 },
  test_metrics: { test_accuracy: 0.5 },
});
/** A backtest child's result (metrics as the engine writes them, KTRDR placeholders included). */
const backtested = (m: Record<string, number>) => ({
  metrics: { total_return_pct: 0.01, annualized_return: 0.04, sortino_ratio: 1, calmar_ratio: 1, max_drawdown_pct: 0.02, win_rate: 0.5, exposure: 0.3, ...m },
  costs: { gross_pnl: 120, commission: 0, spread_cost: 15, slippage_cost: 5, net_pnl: 100, currency: 'USD', model: 'fx:EURUSD' },
  start_time: PLAN.selection.start,
  end_time: PLAN.selection.end,
  config: { initial_capital: 100_000 },
  model_path: 'm',
});

describe('sweep protocol (issue 22.7, 22.8)', () => {
  let home: string;
  let slots: Map<string, SlotRecord>;
  let ctx: KindContext;
  const kind = sweepKind((_p, name) => `/x/${name}`);
  const put = (slot: string, status: SlotStatus, data: unknown, child: string | null = `op_${slot}`) => slots.set(slot, { slot, child_id: child, status, data, recorded_at: '' });

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ktrdr-sweep-'));
    slots = new Map();
    put('_plan', 'data', PLAN, null);
    ctx = {
      parentId: 'op_sweep',
      request: { strategy_name: 's', model_name: 's-sweep-1', symbols: ['EURUSD'], timeframes: ['1h'], base_timeframe: '1h', backtest_symbol: 'EURUSD', space: { 'indicators.rsi_14.period': { values: [7, 14, 21, 28] } }, sampler: 'grid', trials: 4, objective: 'oos_sharpe', seed: 0, holdout: 0.2, selection: 0.2, embargo_bars: 0, backtest: { initial_capital: 100_000, position_size: 0.25, commission: null, slippage: null, costs: null, in_sample: false } },
      slots,
      running: new Map(),
      home,
      record: (slot, childId, status, data) => void (slots.has(slot) || put(slot, status, data, childId)),
      childPercentage: () => 0,
    };
    for (let k = 0; k < 4; k++) put(`trial-${k}/spec`, 'data', { params: { 'indicators.rsi_14.period': 7 * (k + 1) }, yaml: PLAN.strategy_yaml, yaml_path: `/x/trial-${k}.yaml`, valid: true, errors: [] }, null);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function finishTrials() {
    for (let k = 0; k < 4; k++) put(`trial-${k}/train`, 'completed', extractTraining(trained(k, 0.5 + k / 100)));
    // #0 lost nothing: profit factor 999,999 (KTRDR's placeholder) and a huge Sharpe on two trades.
    put('trial-0/select', 'completed', extractBacktest(backtested({ sharpe_ratio: 9, profit_factor: 999_999, total_trades: 2 })));
    // #1 never traded: the engine reports Sharpe 0, which would beat a negative one.
    put('trial-1/select', 'completed', extractBacktest(backtested({ sharpe_ratio: 0, profit_factor: 0, total_trades: 0, total_return_pct: 0 })));
    put('trial-2/select', 'completed', extractBacktest(backtested({ sharpe_ratio: -0.4, profit_factor: 0.8, total_trades: 40 })));
    put('trial-3/select', 'completed', extractBacktest(backtested({ sharpe_ratio: -0.1, profit_factor: 0.95, total_trades: 35 })));
  }

  it('a trial without trades is not rankable on Sharpe, and says why; a placeholder profit factor never decides', () => {
    finishTrials();
    const r = sweepResultSchema.parse(kind.results(ctx));
    expect(r.trials[1].objective).toBeNull();
    expect(r.trials[1].null_reasons.objective).toBe('no trades in the selection window');
    expect(r.trials[0].objective).toBe(9); // a Sharpe is defined with two trades
    expect(r.trials[0].selection_metrics!.profit_factor).toBeNull();
    expect(r.trials[0].selection_metrics!.null_reasons.profit_factor).toMatch(/no losing trades/);
    expect(r.best_trial!.trial).toBe(0);
    expect(r.rankable_trials).toBe(3);

    ctx.request.objective = 'oos_profit_factor';
    const pf = sweepResultSchema.parse(kind.results(ctx));
    expect(pf.trials[0].objective).toBeNull();
    expect(pf.best_trial!.trial).toBe(3); // 0.95: the best real profit factor, not 999,999 nor 0 trades
  });

  it('only the chosen trial is backtested, once, on the final holdout, after every trial is done', () => {
    finishTrials();
    ctx.request.objective = 'oos_profit_factor';
    const next = kind.next(ctx) as ChildRequest;
    expect(next.slot).toBe('final/backtest');
    expect(next.params).toMatchObject({ start_date: PLAN.holdout.start, end_date: PLAN.holdout.end, model_path: 'models/s/1h_v4', commission: null, slippage: null, costs: null });
    expect(next.metadata).toMatchObject({ experiment_role: 'sweep_final_holdout_backtest', trial: 3 });
    expect(kind.done(ctx)).toBe(false);
    ctx.running.set('final/backtest', 'op_final');
    expect(kind.next(ctx)).toBeNull(); // never twice
    ctx.running.clear();
    put('final/backtest', 'completed', extractBacktest({ ...backtested({ sharpe_ratio: 0.3, profit_factor: 1.1, total_trades: 30 }), start_time: PLAN.holdout.start }));
    expect(kind.done(ctx)).toBe(true);
    const r = sweepResultSchema.parse(kind.results(ctx));
    expect(r.final).toMatchObject({ trial: 3, status: 'completed', backtest_operation_id: 'op_final/backtest' });
    expect(r.final!.backtest!.metrics.sharpe_ratio).toBe(0.3);
    expect(r.final!.backtest!.costs!.net_pnl).toBe(100);
    // The trials' own numbers stay the selection window's.
    expect(r.trials[3].metrics.oos_sharpe).toBe(-0.1);
  });

  it('while trials run, no child touches the holdout; trials train on the training window and are judged on the selection window', () => {
    const first = kind.next(ctx) as ChildRequest;
    expect(first.params).toMatchObject({ start_date: PLAN.train.start, end_date: PLAN.train.end });
    put('trial-0/train', 'completed', extractTraining(trained(0, 0.5)));
    ctx.running.set('trial-1/train', 'a');
    ctx.running.set('trial-2/train', 'b');
    ctx.running.set('trial-3/train', 'c');
    const sel = kind.next(ctx) as ChildRequest;
    expect(sel.slot).toBe('trial-0/select');
    expect(sel.params).toMatchObject({ start_date: PLAN.selection.start, end_date: PLAN.selection.end });
  });

  it('no final holdout (holdout = 0): no final evaluation, and the results say so', () => {
    put('_plan', 'data', { ...PLAN, holdout: { start: null, end: null, bars: 0 } }, null);
    finishTrials();
    expect(kind.next(ctx)).toBeNull();
    expect(kind.done(ctx)).toBe(true);
    const r = sweepResultSchema.parse(kind.results(ctx));
    expect(r.final).toBeNull();
    expect(r.null_reasons.final).toMatch(/no final holdout/);
  });

  it('degenerate training splits of a trial are warnings on the sweep', () => {
    const t = trained(0, null);
    const splits = {
      method: 'time',
      ratios: { train: 0.7, validation: 0.15, test: 0.15 },
      boundaries: { validation_start: null, test_start: '2017-06-01T00:00:00.000Z' },
      rows: { train: 2000, validation: 0, test: 400 },
      embargoed: { train: 30, validation: 450 },
      max_label_lookahead: 900,
      label_counts: { train: { BUY: 900, HOLD: 100, SELL: 1000 }, validation: { BUY: 0, HOLD: 0, SELL: 0 }, test: { BUY: 100, HOLD: 20, SELL: 280 } },
      per_symbol: null,
      warnings: [{ split: 'validation', kind: 'empty', rows: 0, message: 'The validation split is empty (450 of its rows were embargoed because their labels look into the next split)' }],
    };
    const summary = extractTraining({ ...t, data_summary: { splits } });
    expect(summary.val_accuracy).toBeNull();
    expect(summary.null_reasons.val_accuracy).toBe('the validation split is empty (450 rows embargoed)');
    expect(kind.slotWarnings('trial-2/train', summary)).toEqual(['Trial 3: The validation split is empty (450 of its rows were embargoed because their labels look into the next split)']);
    ctx.request.objective = 'val_accuracy';
    put('trial-0/train', 'completed', summary);
    put('trial-0/select', 'completed', extractBacktest(backtested({ sharpe_ratio: 1, profit_factor: 2, total_trades: 10 })));
    const r = sweepResultSchema.parse(kind.results(ctx));
    expect(r.trials[0].objective).toBeNull();
    expect(r.trials[0].null_reasons.objective).toBe('the validation split is empty (450 rows embargoed)');
    expect(r.warnings).toEqual([{ source: 'trial 1', message: expect.stringMatching(/validation split is empty/) }]);
  });
});

describe('extractTraining reads the training result as the pipeline writes it (issue 22.3)', () => {
  it('beats_baseline is the result’s top-level verdict', () => {
    expect(extractTraining({ ...trained(0, 0.5), beats_baseline: true }).beats_baseline).toBe(true);
    expect(extractTraining({ ...trained(0, 0.5), beats_baseline: false, baseline: { test: { beats: false } } }).beats_baseline).toBe(false);
  });
});
