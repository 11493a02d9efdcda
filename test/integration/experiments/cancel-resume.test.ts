import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { http, pidAlive, sleep, startServer, waitFor, workerPids, type TestServer } from '../../helpers/server';
import { children, waitForStatus, writeFastStrategy } from './helpers';

const sweepBody = (strategy: string, trials: number) => ({
  strategy_name: strategy,
  start_date: '2017-01-01',
  end_date: '2017-04-30',
  space: { 'indicators.rsi_14.period': { min: 7, max: 28, step: 7 } },
  sampler: 'random',
  trials,
  objective: 'oos_return',
  seed: 3,
  max_parallel: 2,
});

describe('experiments: cancel and restart', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const s of servers) rmSync(s.home, { recursive: true, force: true });
  });

  it('cancelling a running sweep cancels every child, leaves no worker, and starts nothing afterwards', async () => {
    const server = await startServer({ cleanup: false });
    servers.push(server);
    const strategy = writeFastStrategy(server.home, 'nmr_slow', 200); // long enough to be caught running
    const id = (await http('POST', `${server.api}/experiments/sweeps/start`, sweepBody(strategy, 6))).body.operation_id as string;
    await waitFor(async () => (await children(server.api, id)).filter((c) => c.status === 'running').length === 2, 60_000, 200);
    const cancelled = await http('DELETE', `${server.api}/operations/${id}`, { reason: 'enough' });
    expect(cancelled.status).toBe(200);

    await waitFor(async () => workerPids(server.proc.pid!).length === 0, 15_000, 200);
    const kids = await children(server.api, id);
    expect(kids).toHaveLength(2);
    expect(kids.every((c) => c.status === 'cancelled')).toBe(true);
    expect((await http('GET', `${server.api}/operations/${id}`)).body.data.status).toBe('cancelled');
    await sleep(2500);
    expect(await children(server.api, id)).toHaveLength(2); // nothing started afterwards
    expect(workerPids(server.proc.pid!)).toHaveLength(0);
    // Sticky: cancelled stays cancelled, and cannot be resumed (retry starts a new one instead).
    expect((await http('POST', `${server.api}/operations/${id}/resume`)).status).toBe(409);
  });

  it('cancelling one child marks only that trial; the sweep goes on', async () => {
    const server = servers[0];
    const strategy = writeFastStrategy(server.home, 'nmr_mixed', 2);
    const id = (await http('POST', `${server.api}/experiments/sweeps/start`, { ...sweepBody(strategy, 2), max_parallel: 1 })).body.operation_id as string;
    const first = await waitFor(async () => (await children(server.api, id)).find((c) => c.status === 'running'), 60_000, 100);
    await http('DELETE', `${server.api}/operations/${first.operation_id}`);
    const op = await waitForStatus(server.api, id, ['completed', 'failed', 'cancelled']);
    expect(op.status).toBe('completed');
    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    expect(results.trials.filter((t: any) => t.status === 'cancelled')).toHaveLength(1);
    expect(results.trials.filter((t: any) => t.status === 'completed')).toHaveLength(1);
  });

  it('SIGKILL mid-sweep, restart on the same home: the sweep resumes and finishes with exactly `trials` results', async () => {
    const first = await startServer({ cleanup: false });
    const strategy = writeFastStrategy(first.home, 'nmr_fast', 2);
    const trials = 4;
    const id = (await http('POST', `${first.api}/experiments/sweeps/start`, sweepBody(strategy, trials))).body.operation_id as string;
    // Kill once at least one trial has finished and another child is running.
    await waitFor(async () => {
      const view = (await http('GET', `${first.api}/experiments/${id}`)).body.data;
      return view.results.completed_trials >= 1 && view.children.some((c: any) => c.status === 'running');
    }, 120_000, 100);
    const workers = workerPids(first.proc.pid!);
    await first.kill();
    await waitFor(async () => workers.every((p) => !pidAlive(p)), 10_000);

    const second = await startServer({ home: first.home, cleanup: false });
    servers.push(second);
    const op = await waitForStatus(second.api, id, ['completed', 'failed', 'cancelled']);
    expect(op.status).toBe('completed');
    const { results } = (await http('GET', `${second.api}/operations/${id}/results`)).body;
    expect(results.trials).toHaveLength(trials);
    expect(results.trials.every((t: any) => t.status === 'completed')).toBe(true);
    expect(new Set(results.trials.map((t: any) => t.training_operation_id)).size).toBe(trials);
    const kids = await children(second.api, id);
    // Each trial's result comes from exactly one completed training and one completed selection
    // backtest, plus the chosen trial's one final-holdout backtest; children interrupted by the kill
    // ended failed and were rerun.
    expect(kids.filter((c) => c.operation_type === 'training' && c.status === 'completed')).toHaveLength(trials);
    expect(kids.filter((c) => c.operation_type === 'backtesting' && c.status === 'completed')).toHaveLength(trials + 1);
    expect(kids.filter((c) => c.metadata.experiment_role === 'sweep_final_holdout_backtest')).toHaveLength(1);
    const interrupted = kids.filter((c) => c.status === 'failed');
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(interrupted.every((c) => /Interrupted/.test(c.error_message))).toBe(true);
  });

  it('a graceful stop leaves the experiment running in the store; the next start resumes it', async () => {
    const first = await startServer({ cleanup: false });
    const strategy = writeFastStrategy(first.home, 'nmr_fast', 2);
    const id = (await http('POST', `${first.api}/experiments/walk-forward/start`, { strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-05-15', train_window: '2M', test_window: '1M', max_parallel: 1 })).body.operation_id as string;
    await waitFor(async () => (await children(first.api, id)).some((c) => c.status === 'completed'), 120_000, 100);
    await first.stop();
    const second = await startServer({ home: first.home, cleanup: false });
    servers.push(second);
    const op = await waitForStatus(second.api, id, ['completed', 'failed', 'cancelled']);
    expect(op.status).toBe('completed');
    const { results } = (await http('GET', `${second.api}/operations/${id}/results`)).body;
    expect(results.folds.every((f: any) => f.status === 'completed')).toBe(true);
    const kids = await children(second.api, id);
    expect(kids.filter((c) => c.status === 'completed')).toHaveLength(results.folds.length * 2);
  });
});
