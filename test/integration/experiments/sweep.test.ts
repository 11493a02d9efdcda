import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from '../../helpers/server';
import { children, waitForStatus, writeFastStrategy } from './helpers';

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

  it('8 random trials: 8 trial records with their YAML, a best trial, DSR and PBO', async () => {
    const started = await http('POST', `${server.api}/experiments/sweeps/start`, {
      ...base(),
      end_date: '2017-03-31',
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
    expect(results.trials).toHaveLength(8);
    for (const t of results.trials) {
      expect(t.status).toBe('completed');
      expect([7, 14, 21, 28]).toContain(t.params['indicators.rsi_14.period']);
      expect(t.strategy_yaml).toContain(`period: ${t.params['indicators.rsi_14.period']}`);
      expect(typeof t.objective).toBe('number');
    }
    const best = results.trials.reduce((a: any, b: any) => (b.objective > a.objective ? b : a));
    expect(results.best_trial.trial).toBe(best.trial);
    expect(results.best_trial.objective).toBe(best.objective);
    // Holdout strictly after training.
    expect(Date.parse(results.ranges.holdout_start)).toBeGreaterThan(Date.parse(results.ranges.train_end));
    const dsr = results.overfitting.deflated_sharpe;
    expect(dsr.trials).toBe(8);
    expect(dsr.deflated_sharpe_ratio).toBeGreaterThanOrEqual(0);
    expect(dsr.deflated_sharpe_ratio).toBeLessThanOrEqual(1);
    const pbo = results.overfitting.pbo;
    expect(pbo.trials).toBe(8);
    expect(pbo.combinations).toBe(12870); // C(16, 8)
    expect(pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(pbo.pbo).toBeLessThanOrEqual(1);
    expect(results.importance.map((i: any) => i.path).sort()).toEqual(['indicators.rsi_14.period', 'training.learning_rate']);

    const kids = await children(server.api, id);
    expect(kids.filter((c) => c.operation_type === 'training')).toHaveLength(8);
    expect(kids.filter((c) => c.operation_type === 'backtesting')).toHaveLength(8);
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
