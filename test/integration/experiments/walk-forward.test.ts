import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from '../../helpers/server';
import { children, waitForStatus, writeFastStrategy } from './helpers';
import { WALK_FORWARD_RESULT_VERSION, walkForwardResultSchema } from '../../../src/shared/results/walk-forward';

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
    // A step shorter than the test window would stitch the overlap twice (issue 22.4).
    const overlap = await http('POST', `${server.api}/experiments/walk-forward/start`, { strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-06-15', train_window: '2M', test_window: '1M', step: '2w' });
    expect(overlap.status).toBe(422);
    expect(overlap.body.error.details[0]).toMatchObject({ field: 'step', message: expect.stringMatching(/shorter than test_window \(1M\): test windows would overlap/) });
    const legacyKey = await http('POST', `${server.api}/experiments/walk-forward/start`, { strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-06-15', train_window: '2M', test_window: '1M', backtest: { costs: { spread_pip: 1 } } });
    expect(legacyKey.status).toBe(422);
    expect(JSON.stringify(legacyKey.body.error.details)).toMatch(/spread_pip/);
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
      // The fold keeps the training's own verdict (results.beats_baseline, issue 22.3).
      expect(f.train_metrics.beats_baseline).toBe(tr.beats_baseline);
      expect(typeof f.train_metrics.beats_baseline).toBe('boolean');
      expect(f.train_metrics.splits.rows.validation).toBe(tr.data_summary.splits.rows.validation);
      product *= 1 + f.oos_metrics.total_return_pct;
    }
    // The seeded fast strategy trades, so the compounding below is checked on non-zero fold returns.
    expect(results.folds.filter((f: any) => f.oos_metrics.total_trades > 0 && f.oos_metrics.total_return_pct !== 0).length).toBeGreaterThan(0);
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
    expect(walkForwardResultSchema.parse(results).schema_version).toBe(WALK_FORWARD_RESULT_VERSION);

    // Costs (issue 22.1): the fold's backtest is a standalone backtest of the same model on the same
    // window, to the cent: the instrument's costs, not KTRDR's 0.1 % + 0.1 %.
    const f = results.folds.find((x: any) => x.oos_metrics.total_trades > 0);
    const alone = await http('POST', `${server.api}/backtests/start`, { strategy_name: strategy, model_path: f.model_path, start_date: f.test_start, end_date: f.test_end });
    expect(alone.status).toBe(200);
    await waitForStatus(server.api, alone.body.operation_id, ['completed']);
    const a = (await http('GET', `${server.api}/operations/${alone.body.operation_id}/results`)).body.results;
    const b = (await http('GET', `${server.api}/operations/${f.backtest_operation_id}/results`)).body.results;
    expect(b.config.costs.model).not.toMatch(/legacy/);
    expect(b.config.costs).toEqual(a.config.costs);
    expect(b.config.commission).toBeNull();
    expect(b.trade_count).toBe(a.trade_count);
    const cents = (x: number) => Math.round(x * 100);
    for (const k of ['gross_pnl', 'commission', 'spread_cost', 'slippage_cost', 'net_pnl']) {
      expect(cents(b.costs[k]), k).toBe(cents(a.costs[k]));
      expect(cents(f.oos_costs[k]), k).toBe(cents(a.costs[k]));
    }
    expect(cents(b.metrics.final_equity)).toBe(cents(a.metrics.final_equity));
    expect(f.oos_metrics.sharpe_ratio).toBe(a.metrics.sharpe_ratio);
    // EURUSD costs are a fraction of a pip a side: far below the trade's gross move, unlike 0.2 % of notional.
    expect(Math.abs(b.costs.spread_cost + b.costs.slippage_cost + b.costs.commission)).toBeLessThan(0.001 * 25_000 * 2 * b.trade_count);
    expect(results.costs_total.net_pnl).toBeCloseTo(results.folds.reduce((s2: number, x: any) => s2 + x.oos_costs.net_pnl, 0), 6);
  });

  it('walk-forward children take the request’s cost overrides exactly as a standalone backtest does', async () => {
    const started = await http('POST', `${server.api}/experiments/walk-forward/start`, {
      strategy_name: strategy,
      start_date: '2017-01-01',
      end_date: '2017-04-30',
      train_window: '2M',
      test_window: '1M',
      step: '2M',
      backtest: { costs: { spread_pips: 3 }, initial_capital: 50_000 },
    });
    expect(started.status).toBe(200);
    const id = started.body.operation_id as string;
    await waitForStatus(server.api, id, ['completed', 'failed']);
    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    const f = results.folds[0];
    const bt = (await http('GET', `${server.api}/operations/${f.backtest_operation_id}`)).body.data;
    expect(bt.metadata.parameters).toMatchObject({ costs: { spread_pips: 3 }, commission: null, slippage: null, initial_capital: 50_000 });
    const r = (await http('GET', `${server.api}/operations/${f.backtest_operation_id}/results`)).body.results;
    expect(r.config.costs.model).toMatch(/\+request$/);
    expect(r.config.costs.spread).toBeCloseTo(3 * r.config.costs.pip_size, 12);
    expect(results.settings.backtest.costs).toEqual({ spread_pips: 3 });
  });

  it('a fold whose training split is degenerate is a warning on the run and on the experiment (issue 22.6)', async () => {
    // 300-bar training windows: the 15 % validation split has ~45 rows (< 100).
    const started = await http('POST', `${server.api}/experiments/walk-forward/start`, { strategy_name: strategy, start_date: '2017-01-01', end_date: '2017-02-28', train_window: 300, test_window: 200 });
    expect(started.status).toBe(200);
    const id = started.body.operation_id as string;
    const op = await waitForStatus(server.api, id, ['completed', 'failed']);
    expect(op.status).toBe('completed');
    const { results } = (await http('GET', `${server.api}/operations/${id}/results`)).body;
    const f = results.folds[0];
    const tr = (await http('GET', `${server.api}/operations/${f.training_operation_id}`)).body.data;
    const tiny = tr.warnings.find((w: string) => /The validation split has only \d+ rows \(< 100\)/.test(w));
    expect(tiny).toBeTruthy(); // on the training run
    expect(f.train_metrics.splits.rows.validation).toBeLessThan(100);
    expect(f.train_metrics.warnings).toContain(tiny);
    expect(op.warnings).toContain(`Fold 1: ${tiny}`); // and on its experiment
    expect(results.warnings).toContainEqual({ source: 'fold 1', message: tiny });
  });
});
