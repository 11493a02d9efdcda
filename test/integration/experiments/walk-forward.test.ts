import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from '../../helpers/server';
import { children, waitForStatus, writeFastStrategy } from './helpers';

describe('walk-forward over EURUSD 1h (3 folds)', () => {
  let server: TestServer;
  let strategy: string;
  beforeAll(async () => {
    server = await startServer();
    strategy = writeFastStrategy(server.home);
  });
  afterAll(async () => server?.stop());

  it('refuses bad windows with a 422 naming the field, and plans nothing', async () => {
    const bad = await http('POST', `${server.api}/experiments/walk-forward/start`, { strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-06-15', train_window: '2q', test_window: '1M' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].field).toBe('train_window');
    const tooBig = await http('POST', `${server.api}/experiments/walk-forward/start`, { strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-02-15', train_window: '2M', test_window: '1M' });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.details[0].message).toMatch(/no fold fits/);
    expect((await http('GET', `${server.api}/operations?operation_type=walk_forward`)).body.total_count).toBe(0);
  });

  it('completes with 3 training + 3 backtest children, later test windows, and a stitched equity that compounds the folds', async () => {
    const started = await http('POST', `${server.api}/experiments/walk-forward/start`, {
      strategy_name: strategy,
      start_date: '2017-01-01',
      end_date: '2017-06-15',
      train_window: '2M',
      test_window: '1M',
      max_parallel: 2,
    });
    expect(started.status).toBe(200);
    expect(started.body.data.folds).toBe(3);
    const id = started.body.operation_id as string;

    const op = await waitForStatus(server.api, id, ['completed', 'failed', 'cancelled']);
    expect(op.error_message).toBeNull();
    expect(op.status).toBe('completed');
    expect(op.progress.percentage).toBe(100);

    const kids = await children(server.api, id);
    expect(kids.filter((c) => c.operation_type === 'training')).toHaveLength(3);
    expect(kids.filter((c) => c.operation_type === 'backtesting')).toHaveLength(3);
    expect(kids.every((c) => c.parent_id === id && c.status === 'completed')).toBe(true);
    const listed = (await http('GET', `${server.api}/operations?parent_id=${id}&limit=100`)).body;
    expect(listed.total_count).toBe(6);

    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    expect(results.folds).toHaveLength(3);
    let product = 1;
    for (const f of results.folds) {
      expect(f.status).toBe('completed');
      expect(Date.parse(f.test_start)).toBeGreaterThan(Date.parse(f.train_end));
      expect(Date.parse(f.train_start)).toBeLessThan(Date.parse(f.train_end));
      // The backtest child used exactly the fold's model over exactly the test window.
      const bt = (await http('GET', `${server.api}/operations/${f.backtest_operation_id}`)).body.data;
      expect(bt.metadata.parameters.model_path).toBe(f.model_path);
      expect(bt.metadata.parameters.start_date).toBe(f.test_start);
      const tr = (await http('GET', `${server.api}/operations/${f.training_operation_id}/results`)).body.results;
      expect(tr.model_path).toBe(f.model_path);
      expect(tr.session_info.end_date).toBe(f.train_end);
      product *= 1 + f.oos_metrics.total_return;
    }
    // The seeded fast strategy trades, so the compounding below is checked on non-zero fold returns.
    expect(results.folds.filter((f: any) => f.oos_metrics.total_trades > 0 && f.oos_metrics.total_return !== 0).length).toBeGreaterThan(0);
    for (let k = 1; k < 3; k++) expect(Date.parse(results.folds[k].test_start)).toBeGreaterThan(Date.parse(results.folds[k - 1].test_end));
    const initial = results.stitched_equity.initial_capital;
    expect(results.stitched_equity.final_equity).toBeCloseTo(initial * product, 4);
    expect(results.stitched_equity.values.at(-1)).toBeCloseTo(initial * product, 4);
    expect(results.stitched_metrics.compounded_fold_return).toBeCloseTo(product - 1, 9);
    expect(results.stability.total_return.folds).toBe(3);
    expect(results.degradation.basis).toBe('accuracy');
    expect(typeof results.degradation.ratio).toBe('number');

    // The experiment view's endpoint serves the same results and the children.
    const view = (await http('GET', `${server.api}/experiments/${id}`)).body.data;
    expect(view.children).toHaveLength(6);
    expect(view.results.folds).toHaveLength(3);
  });
});
