// The backtesting job's significance step (fake model and features, real engine and statistics).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';
import { JobCancelledError, ProgressBridge } from '../../../src/worker/bridge';
import { backtestParams, runBacktestJob, type BacktestDeps } from '../../../src/worker/jobs/backtest';
import { DAY, randomBars, randomProbabilities } from '../backtest/helpers';

const home = mkdtempSync(join(tmpdir(), 'ktrdr-bt-sig-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const N = 900;
const ALL: BarSeries = { symbol: 'EURUSD', timeframe: '1d', ...randomBars(N, 5, DAY, 100), volume: new Float64Array(N) };
const PROBS = randomProbabilities(N, 7);
const NAMES = ['f1'];

const deps: BacktestDeps = {
  loadStrategy: () => ({ config: {}, decisions: { confidence_threshold: 0.4, filters: { min_signal_separation: 0 } }, timeframes: ['1d'], warmupBars: 10 }),
  resolveModel: (ref) => ({ dir: join(home, ref), model_path: `models/${ref}` }),
  loadModel: async () => ({
    manifest: { features: NAMES, normalization: null, timeframe: '1d' },
    predict: async (m) => {
      const first = ALL.time.indexOf(m.time[0]);
      return PROBS.slice(first * 3, (first + m.rows) * 3);
    },
  }),
  loadBars: () => ALL,
  buildFeatures: (_s, byTf) => {
    const b = byTf['1d'];
    return { names: NAMES, rows: b.time.length, cols: 1, values: new Float32Array(b.time.length), time: b.time, valid: new Uint8Array(b.time.length).fill(1) };
  },
  applyNormalization: (m) => m,
};

const iso = (i: number) => new Date(ALL.time[i]).toISOString().slice(0, 10);
const params = (over: Record<string, unknown> = {}) => backtestParams({ strategy_name: 's', symbol: 'EURUSD', timeframe: '1d', start_date: iso(350), end_date: iso(880), ...over });

function bridgeWith(onMessage: (msg: string) => void = () => undefined) {
  const messages: string[] = [];
  const bridge: ProgressBridge = new ProgressBridge((m: SnapshotMessage) => {
    if (m.progress.message) {
      messages.push(m.progress.message);
      onMessage(m.progress.message);
    }
  }, 0);
  return { bridge, messages };
}

describe('backtesting job: significance step', () => {
  it('defaults to 200 random runs with seed 42 and reports progress through them', async () => {
    const { bridge, messages } = bridgeWith();
    const r = (await runBacktestJob({ params: params(), deps, bridge, home, operationId: 'op_sig_1' })) as any;
    expect(r.trade_count).toBeGreaterThan(5);
    expect(r.significance).toMatchObject({ random_runs: 200, seed: 42, random_min_trades: r.trade_count });
    expect(r.sharpe_ci95[0]).toBeLessThanOrEqual(r.metrics.sharpe_ratio);
    expect(r.sharpe_ci95[1]).toBeGreaterThanOrEqual(r.metrics.sharpe_ratio);
    expect(messages.some((m) => /Comparing with random entries: 100\/200 runs/.test(m))).toBe(true);
  });

  it('random_runs 0 skips the random entries; the Sharpe interval is still there', async () => {
    const { bridge, messages } = bridgeWith();
    const r = (await runBacktestJob({ params: params({ random_runs: 0 }), deps, bridge, home, operationId: 'op_sig_2' })) as any;
    expect(r.significance).toBeNull();
    expect(r.sharpe_ci95).toHaveLength(2);
    expect(messages.some((m) => m.includes('random'))).toBe(false);
  });

  it('can be cancelled between chunks of random runs', async () => {
    const { bridge } = bridgeWith((m) => {
      if (m.startsWith('Comparing with random entries: 50/')) bridge.requestCancel('user asked');
    });
    await expect(runBacktestJob({ params: params({ random_runs: 1000 }), deps, bridge, home, operationId: 'op_sig_3' })).rejects.toBeInstanceOf(JobCancelledError);
  });
});
