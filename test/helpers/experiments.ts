// Real experiment results for reader tests: a walk-forward and a sweep built by the kinds' own code
// (walkForwardKind / sweepKind .results) from slots that hold what the scheduler records — real
// backtest results (the worker's code, test/helpers/results.ts) and a training result, each read
// through its contract by `extract` — with the backtests' equity files in the experiment's home.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SlotRecord, SlotStatus } from '../../src/main/experiments/slot-store';
import { sweepKind, type SweepPlan } from '../../src/main/experiments/sweep';
import type { KindContext } from '../../src/main/experiments/types';
import { walkForwardKind, type WalkForwardPlan } from '../../src/main/experiments/walk-forward';
import type { BacktestResult } from '../../src/shared/results/backtest';
import { validateSweepResult, type SweepResult } from '../../src/shared/results/sweep';
import type { TrainingResult } from '../../src/shared/results/training';
import { validateWalkForwardResult, type WalkForwardResult } from '../../src/shared/results/walk-forward';
import { produceBacktest, trainingResultFixture, type ProducedBacktest } from './results';

/** A scripted experiment: its context (slots in memory, files under `home`) and how to fill a slot. */
export interface ScriptedExperiment {
  ctx: KindContext;
  slots: Map<string, SlotRecord>;
  home: string;
  /** Records a slot as the scheduler does (once). */
  put(slot: string, status: SlotStatus, data: unknown, childId?: string | null): void;
  /** Records a completed child: its stored result read through `extract`, its equity file placed under `childId`. */
  child(slot: string, result: BacktestResult | TrainingResult, produced?: ProducedBacktest, childId?: string): void;
}

export function scripted(kind: { extract(slot: string, r: unknown): unknown }, request: Record<string, unknown>, plan: unknown): ScriptedExperiment {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-experiment-'));
  const slots = new Map<string, SlotRecord>();
  const put = (slot: string, status: SlotStatus, data: unknown, childId: string | null = `op_${slot.replace('/', '_')}`) => {
    if (!slots.has(slot)) slots.set(slot, { slot, child_id: childId, status, data: JSON.parse(JSON.stringify(data)) as unknown, recorded_at: '' });
  };
  const ctx: KindContext = {
    parentId: 'op_experiment_fixture',
    request,
    slots,
    running: new Map(),
    home,
    record: (slot, childId, status, data) => put(slot, status, data, childId),
    childPercentage: () => 0,
  };
  put('_plan', 'data', plan, null);
  return {
    ctx,
    slots,
    home,
    put,
    child(slot, result, produced, childId = `op_${slot.replace('/', '_')}`) {
      if (produced) {
        mkdirSync(join(home, 'backtests', childId), { recursive: true });
        copyFileSync(join(produced.home, 'backtests', produced.id, 'equity.json'), join(home, 'backtests', childId, 'equity.json'));
      }
      put(slot, 'completed', kind.extract(slot, JSON.parse(JSON.stringify(result))), childId);
    },
  };
}

export interface Fixtures {
  /** Trading backtests with different signals, and one that never trades. */
  trading: ProducedBacktest;
  other: ProducedBacktest;
  flat: ProducedBacktest;
  training: TrainingResult;
}

export async function fixtures(): Promise<Fixtures> {
  const [trading, other, flat] = await Promise.all([produceBacktest({ seed: 22 }), produceBacktest({ seed: 31 }), produceBacktest({ trades: false })]);
  return { trading, other, flat, training: trainingResultFixture() };
}

/** What the routes store for both kinds (requestBase), and the backtest section with its defaults. */
const BASE_REQUEST = {
  strategy_name: 'fixture',
  symbols: ['EURUSD'],
  timeframes: ['1d'],
  base_timeframe: '1d',
  backtest_symbol: 'EURUSD',
  start_date: '2020-01-01',
  end_date: '2022-12-31',
  embargo_bars: 0,
  max_parallel: 2,
};
const BACKTEST = { initial_capital: 100_000, position_size: 0.25, commission: null, slippage: null, costs: null };

export const WF_REQUEST = {
  ...BASE_REQUEST,
  model_name: 'fixture-wf-1',
  train_window: '1y',
  test_window: '6M',
  step: null,
  anchored: false,
  backtest: { ...BACKTEST, in_sample: true },
};

export const WF_PLAN: WalkForwardPlan = {
  strategy_path: '/x/strategy.yaml',
  strategy_yaml: 'name: fixture\n',
  folds: [0, 1, 2].map((k) => ({
    index: k,
    train_start: `${2020 + k}-01-01T00:00:00.000Z`,
    train_end: `${2020 + k}-12-31T00:00:00.000Z`,
    test_start: `${2021 + k}-01-01T00:00:00.000Z`,
    test_end: `${2021 + k}-06-30T00:00:00.000Z`,
    train_bars: 260,
    test_bars: 130,
  })),
};

/**
 * A finished walk-forward of three folds: fold 1 traded, fold 2 never traded (no Sharpe ratio), fold 3
 * traded on other signals; each model also backtested in sample.
 */
export function walkForwardFrom(f: Fixtures): { result: WalkForwardResult; experiment: ScriptedExperiment } {
  const e = scripted(walkForwardKind, structuredClone(WF_REQUEST), WF_PLAN);
  const oos = [f.trading, f.flat, f.other];
  for (let k = 0; k < 3; k++) {
    e.child(`fold-${k}/train`, f.training);
    e.child(`fold-${k}/backtest`, oos[k].result, oos[k]);
    e.child(`fold-${k}/is_backtest`, f.other.result, f.other);
  }
  return { result: validateWalkForwardResult(walkForwardKind.results(e.ctx)), experiment: e };
}

export const SWEEP_REQUEST = {
  ...BASE_REQUEST,
  model_name: 'fixture-sweep-1',
  space: { 'indicators.rsi_14.period': { values: [7, 14, 21] } },
  sampler: 'grid',
  trials: 3,
  objective: 'oos_sharpe',
  seed: 0,
  holdout: 0.2,
  selection: 0.2,
  backtest: { ...BACKTEST, in_sample: false },
};

export const SWEEP_PLAN: SweepPlan = {
  strategy_yaml: 'name: fixture\nindicators:\n  rsi_14:\n    type: rsi\n    period: 14\n',
  strategy_path: '/x/strategy.yaml',
  train: { start: '2020-01-01T00:00:00.000Z', end: '2021-10-01T00:00:00.000Z', bars: 460 },
  selection: { start: '2021-10-04T00:00:00.000Z', end: '2022-05-31T00:00:00.000Z', bars: 170 },
  holdout: { start: '2022-06-01T00:00:00.000Z', end: '2022-12-30T00:00:00.000Z', bars: 150 },
  grid: [{ 'indicators.rsi_14.period': 7 }, { 'indicators.rsi_14.period': 14 }, { 'indicators.rsi_14.period': 21 }],
};

/** A finished sweep of three trials: #2 never traded in the selection window (not rankable on Sharpe); the chosen one evaluated on the holdout. */
export function sweepFrom(f: Fixtures): { result: SweepResult; experiment: ScriptedExperiment } {
  const kind = sweepKind((_p, name) => `/x/${name}`);
  const e = scripted(kind, structuredClone(SWEEP_REQUEST), SWEEP_PLAN);
  const selection = [f.trading, f.flat, f.other];
  for (let k = 0; k < 3; k++) {
    e.put(`trial-${k}/spec`, 'data', { params: SWEEP_PLAN.grid![k], yaml: SWEEP_PLAN.strategy_yaml, yaml_path: `/x/trial-${k}.yaml`, valid: true, errors: [] }, null);
    e.child(`trial-${k}/train`, f.training);
    e.child(`trial-${k}/select`, selection[k].result, selection[k]);
  }
  const next = kind.next(e.ctx);
  if (next?.slot !== 'final/backtest') throw new Error(`expected the final backtest next, got ${next?.slot ?? 'nothing'}`);
  e.child('final/backtest', f.other.result, f.other);
  return { result: validateSweepResult(kind.results(e.ctx)), experiment: e };
}
