import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from '../../helpers/server';
import { children, waitForStatus, writeFastStrategy } from './helpers';
import { sweepResultSchema } from '../../../src/shared/results/sweep';

describe('parameter sweeps', () => {
  let server: TestServer;
  let strategy: string;
  beforeAll(async () => {
    server = await startServer();
    strategy = writeFastStrategy(server.home);
  });
  afterAll(async () => server?.stop());

  const base = () => ({ strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-04-30' });

  it('refuses an unknown path or a bad spec with a 422 naming the field', async () => {
    const r = await http('POST', `${server.api}/experiments/sweeps/start`, { ...base(), trials: 2, space: { 'indicators.nope.period': { values: [1] } } });
    expect(r.status).toBe(422);
    expect(r.body.error.details[0].field).toBe('space.indicators.nope.period');
    const r2 = await http('POST', `${server.api}/experiments/sweeps/start`, { ...base(), trials: 2, space: { 'training.learning_rate': { min: 0.1, max: 0.01 } } });
    expect(r2.status).toBe(422);
    expect(r2.body.error.details[0].field).toBe('space.training.learning_rate.max');
  });

  it('8 random trials ranked on the selection window; only the chosen one is backtested once on the untouched final holdout (issue 22.7)', async () => {
    const started = await http('POST', `${server.api}/experiments/sweeps/start`, {
      ...base(),
      end_date: '2017-04-30',
      space: { 'indicators.rsi_14.period': { min: 7, max: 28, step: 7 }, 'training.learning_rate': { min: 0.0005, max: 0.02, log: true } },
      sampler: 'random',
      trials: 8,
      objective: 'oos_sharpe',
      seed: 11,
      max_parallel: 2,
    });
    expect(started.status).toBe(200);
    const id = started.body.operation_id as string;
    const op = await waitForStatus(server.api, id, ['completed', 'failed', 'cancelled']);
    expect(op.error_message).toBeNull();
    expect(op.status).toBe('completed');

    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    const r = sweepResultSchema.parse(results);
    expect(r.trials).toHaveLength(8);
    // Windows in time order, none overlapping: training → selection → final holdout.
    expect(Date.parse(r.ranges.selection.start!)).toBeGreaterThan(Date.parse(r.ranges.train.end!));
    expect(Date.parse(r.ranges.holdout.start!)).toBeGreaterThan(Date.parse(r.ranges.selection.end!));
    for (const t of r.trials) {
      expect(t.status).toBe('completed');
      expect([7, 14, 21, 28]).toContain(t.params!['indicators.rsi_14.period']);
      expect(t.strategy_yaml).toContain(`period: ${t.params!['indicators.rsi_14.period']}`);
      // The objective is the selection-window Sharpe, or null with the reason when it is undefined.
      expect(t.objective).toBe(t.metrics.oos_sharpe);
      if (t.objective === null) expect(t.null_reasons.objective).toMatch(/selection window/);
    }
    const rankable = r.trials.filter((t) => t.objective !== null);
    const best = rankable.reduce((a, b) => (b.objective! > a.objective! ? b : a));
    expect(r.best_trial!.trial).toBe(best.trial);
    expect(r.final).toMatchObject({ trial: best.trial, status: 'completed' });

    const kids = await children(server.api, id);
    expect(kids.filter((c) => c.operation_type === 'training')).toHaveLength(8);
    const backtests = kids.filter((c) => c.operation_type === 'backtesting');
    expect(backtests).toHaveLength(9); // 8 selection backtests + 1 final
    // No trial child ever touched the holdout; the final child is the chosen trial's model on it.
    const onHoldout = backtests.filter((c) => Date.parse(c.metadata.parameters.end_date) >= Date.parse(r.ranges.holdout.start!));
    expect(onHoldout).toHaveLength(1);
    expect(onHoldout[0].operation_id).toBe(r.final!.backtest_operation_id);
    expect(onHoldout[0].metadata).toMatchObject({ experiment_role: 'sweep_final_holdout_backtest', trial: best.trial });
    expect(onHoldout[0].metadata.parameters).toMatchObject({ model_path: best.model_path, start_date: r.ranges.holdout.start, end_date: r.ranges.holdout.end });
    const fin = (await http('GET', `${server.api}/operations/${r.final!.backtest_operation_id}/results`)).body.results;
    expect(r.final!.backtest!.metrics.total_return_pct).toBe(fin.metrics.total_return_pct);
    expect(fin.config.costs.model).not.toMatch(/legacy/);

    // DSR and PBO over the trials' selection-window returns.
    const o = r.overfitting;
    expect(o.trials_used).toBe(8);
    expect(o.selected_trial).toBe(best.trial);
    if (o.deflated_sharpe) {
      expect(o.deflated_sharpe.trials).toBe(8);
      if (o.deflated_sharpe.deflated_sharpe_ratio !== null) expect(o.deflated_sharpe.deflated_sharpe_ratio).toBeGreaterThanOrEqual(0);
    } else expect(o.null_reasons.deflated_sharpe).toBeTruthy();
    expect(o.pbo!.trials).toBe(8);
    expect(o.pbo!.combinations).toBe(12870); // C(16, 8)
    if (o.pbo!.pbo !== null) expect(o.pbo!.pbo).toBeGreaterThanOrEqual(0);
    expect(r.importance.map((i) => i.path).sort()).toEqual(['indicators.rsi_14.period', 'training.learning_rate']);
  });

  it('refuses a selection-window objective without a selection window, naming the field', async () => {
    const r = await http('POST', `${server.api}/experiments/sweeps/start`, { ...base(), trials: 2, space: { 'indicators.rsi_14.period': { values: [7, 14] } }, objective: 'oos_sharpe', selection: 0 });
    expect(r.status).toBe(422);
    expect(r.body.error.details[0].field).toBe('selection');
  });

  it('an invalid trial fails alone; the sweep goes on', async () => {
    const started = await http('POST', `${server.api}/experiments/sweeps/start`, {
      ...base(),
      space: { 'indicators.rsi_14.period': { values: [14, 'not-a-number'] } },
      sampler: 'grid',
      trials: 2,
      objective: 'val_accuracy',
      seed: 1,
      holdout: 0,
      selection: 0,
    });
    expect(started.status).toBe(200);
    const id = started.body.operation_id as string;
    const op = await waitForStatus(server.api, id, ['completed', 'failed', 'cancelled']);
    expect(op.status).toBe('completed');
    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    const bad = results.trials.find((t: any) => t.params['indicators.rsi_14.period'] === 'not-a-number');
    const good = results.trials.find((t: any) => t.params['indicators.rsi_14.period'] === 14);
    expect(bad.status).toBe('failed');
    expect(bad.valid).toBe(false);
    expect(bad.error).toMatch(/Invalid strategy/);
    expect(good.status).toBe('completed');
    expect(results.best_trial.trial).toBe(good.trial);
    expect(await children(server.api, id)).toHaveLength(1); // the invalid trial started no child
  });
});
