import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';
import { splitRange } from '../../../src/core/bars/segments';
import { barStoreForHome } from '../../../src/infra/bars';
import { JobCancelledError, ProgressBridge } from '../../../src/worker/bridge';
import { dataLoadJob, planRange } from '../../../src/worker/jobs/data-load';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('ktrdr-load-');
});
afterEach(() => {
  tmp.cleanup();
  vi.unstubAllGlobals();
});

function run(params: Record<string, unknown>, onSnapshot?: (m: SnapshotMessage, bridge: ProgressBridge) => void) {
  const snapshots: SnapshotMessage[] = [];
  const bridge: ProgressBridge = new ProgressBridge((m) => {
    snapshots.push(structuredClone(m));
    onSnapshot?.(m, bridge);
  }, 0);
  const spec = { operationId: 'op_test', jobType: 'data_load' as const, params, home: tmp.dir, logLevel: 'silent' };
  const done = dataLoadJob({ spec, params, bridge, home: tmp.dir });
  return { done, snapshots, bridge };
}

describe('data_load job', () => {
  it('loads synthetic EURUSD 5m month by month with progress, metrics and a result', async () => {
    const { done, snapshots } = run({ symbol: 'eurusd', timeframe: '5m', mode: 'full', start_date: '2023-01-01', end_date: '2023-03-31', source: 'synthetic' }); // end inclusive (issue 27)
    const out = await done;
    expect(out.results).toMatchObject({ symbol: 'EURUSD', timeframe: '5m', source: 'synthetic', synthetic: true, segments: 3, gaps_found: 0 });
    const loaded = out.results.bars_loaded as number;
    expect(loaded).toBeGreaterThan(15_000);
    expect(out.results.merged).toMatchObject({ added: loaded, total_bars: loaded });
    const steps = snapshots.map((s) => s.progress.current_step);
    expect(steps).toContain('Loading EURUSD 5m 2023-02 (2/3)');
    const metrics = snapshots.flatMap((s) => s.metrics);
    expect(metrics.map((m) => m.label)).toEqual(['2023-01', '2023-02', '2023-03']);
    expect(metrics.reduce((a, m) => a + (m.bars as number), 0)).toBe(loaded);
    const last = snapshots[snapshots.length - 1].progress;
    expect(last.percentage).toBe(100);
    expect(last.items_processed).toBe(loaded);
    const stored = barStoreForHome(tmp.dir).info('EURUSD', '5m');
    expect(stored).toMatchObject({ count: loaded, synthetic: true, source: 'synthetic' });
  });

  it('a cancel between segments stops the job and keeps the segments already fetched', async () => {
    const { done } = run({ symbol: 'EURUSD', timeframe: '5m', mode: 'full', start_date: '2023-01-01', end_date: '2023-07-01', source: 'synthetic' }, (m, bridge) => {
      if (m.metrics.length) bridge.requestCancel('user asked');
    });
    await expect(done).rejects.toBeInstanceOf(JobCancelledError);
    const info = barStoreForHome(tmp.dir).info('EURUSD', '5m');
    expect(info).not.toBeNull();
    expect(new Date(info!.end!).toISOString().slice(0, 7)).toBe('2023-01');
  });

  it('a failing provider leaves the stored bars untouched', async () => {
    const first = run({ symbol: 'EURUSD', timeframe: '1h', mode: 'full', start_date: '2022-01-01', end_date: '2022-03-01', source: 'synthetic' });
    await first.done;
    const store = barStoreForHome(tmp.dir);
    const before = store.read('EURUSD', '1h');
    vi.stubGlobal('fetch', async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' } });
    });
    const { done } = run({ symbol: 'EURUSD', timeframe: '1h', mode: 'tail', end_date: '2022-06-01', source: 'dukascopy' });
    await expect(done).rejects.toThrow(/Dukascopy download failed.*network unreachable/);
    const after = store.read('EURUSD', '1h');
    expect(Array.from(after.close)).toEqual(Array.from(before.close));
    expect(store.info('EURUSD', '1h')!.source).toBe('synthetic');
  });

  it('refuses bad parameters before touching anything', async () => {
    await expect(run({ symbol: '../x', timeframe: '1h', mode: 'tail', source: 'synthetic' }).done).rejects.toThrow(/Invalid symbol/);
    await expect(run({ symbol: 'X', timeframe: '1h', mode: 'tail', source: 'yahoo' }).done).rejects.toThrow(/Unknown data source/);
  });
});

describe('planRange and splitRange', () => {
  const H = 3_600_000;
  const D = 24 * H;
  const now = Date.UTC(2024, 5, 1);
  it('tail continues after the last stored bar; backfill ends at the first; dates given win', () => {
    const stored = { start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 4, 1) };
    expect(planRange('tail', H, stored, null, null, now)).toEqual({ start: stored.end + H, end: now });
    expect(planRange('tail', H, null, null, null, now)).toEqual({ start: now - 30 * D, end: now });
    expect(planRange('backfill', H, stored, null, null, now)).toEqual({ start: stored.start - 365 * D, end: stored.start });
    expect(planRange('full', H, stored, 5, 10, now)).toEqual({ start: 5, end: 10 });
  });

  it('splits into calendar months, years or fixed chunks that cover the range exactly', () => {
    const months = splitRange(Date.UTC(2023, 0, 15), Date.UTC(2023, 3, 1), 31 * D);
    expect(months.map((s) => s.label)).toEqual(['2023-01', '2023-02', '2023-03']);
    expect(months[0].start).toBe(Date.UTC(2023, 0, 15));
    expect(months[2].end).toBe(Date.UTC(2023, 3, 1));
    expect(splitRange(Date.UTC(2022, 5, 1), Date.UTC(2024, 1, 1), 366 * D).map((s) => s.label)).toEqual(['2022', '2023', '2024']);
    const chunks = splitRange(0, 10 * D, 7 * D);
    expect(chunks.map((s) => [s.start, s.end])).toEqual([[0, 7 * D], [7 * D, 10 * D]]);
    expect(splitRange(5, 5, D)).toEqual([]);
  });
});
