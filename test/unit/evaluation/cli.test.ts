import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerBacktestCommands } from '../../../src/cli/commands/backtest';
import { describeSignificance } from '../../../src/shared/significance';
import { produceBacktest, type ProducedBacktest } from '../../helpers/results';
import type { KtrdrHttpClient } from '../../../src/cli/http';

const dir = mkdtempSync(join(tmpdir(), 'ktrdr-cli-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let run: ProducedBacktest;
beforeAll(async () => {
  run = await produceBacktest();
});

async function runCli(args: string[]) {
  const gets: string[] = [];
  const posts: { path: string; body: any }[] = [];
  const client = {
    get: async (path: string) => {
      gets.push(path);
      if (path === '/operations/op_backtesting_x') return { data: { operation_id: 'op_backtesting_x', status: 'completed', progress: { percentage: 100, current_step: 'done' }, error_message: null } };
      if (path.startsWith('/operations/op_backtesting_x/metrics')) return { metrics: [], new_cursor: 0 };
      if (path === '/operations/op_backtesting_x/results?form=contract') return { success: true, operation_id: 'op_backtesting_x', operation_type: 'backtesting', status: 'completed', results: run.result };
      if (path.endsWith('/report')) return '<!DOCTYPE html><html>report</html>';
      if (path.includes('format=csv')) return 'trade_id,symbol\r\n1,EURUSD\r\n';
      return { success: true, trades: [] };
    },
    post: async (path: string, body: unknown) => {
      posts.push({ path, body });
      return { operation_id: 'op_backtesting_x', message: 'Backtest started' };
    },
  } as unknown as KtrdrHttpClient;
  const program = new Command().exitOverride();
  registerBacktestCommands(program, { client: () => client });
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'ktrdr', ...args]);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return { gets, posts, out: out.join('') };
}

describe('ktrdr backtest: significance and exports', () => {
  it('`backtest NAME --follow` reads the contract form and prints the verdict after the tables', async () => {
    const { out, gets } = await runCli(['backtest', 'strat', '--start', '2024-01-01', '--end', '2024-02-01', '--follow']);
    expect(gets).toContain('/operations/op_backtesting_x/results?form=contract');
    const verdict = describeSignificance(run.result.significance!);
    expect(out).toContain(verdict);
    expect(out).toMatch(/Sharpe 95 % interval\s+\[-?\d+\.\d\d, -?\d+\.\d\d\]/);
    expect(out.indexOf('METRIC')).toBeLessThan(out.indexOf(verdict));
  });

  it('--random-runs and --random-seed go into the request', async () => {
    const { posts } = await runCli(['backtest', 'strat', '--start', '2024-01-01', '--end', '2024-02-01', '--random-runs', '50', '--random-seed', '9']);
    expect(posts[0].body).toMatchObject({ random_runs: 50, random_seed: 9 });
    const { posts: p2 } = await runCli(['backtest', 'strat', '--start', '2024-01-01', '--end', '2024-02-01']);
    expect(p2[0].body).not.toHaveProperty('random_runs');
  });

  it('`backtest report ID -o file.html` saves the server’s HTML', async () => {
    const file = join(dir, 'r.html');
    const { gets } = await runCli(['backtest', 'report', 'op_backtesting_x', '-o', file]);
    expect(gets).toEqual(['/backtests/op_backtesting_x/report']);
    expect(readFileSync(file, 'utf8')).toBe('<!DOCTYPE html><html>report</html>');
  });

  it('`backtest trades ID --format csv` asks for CSV; `equity` without --format prints JSON', async () => {
    const t = await runCli(['backtest', 'trades', 'op_backtesting_x', '--format', 'csv']);
    expect(t.gets).toEqual(['/backtests/op_backtesting_x/trades?format=csv']);
    expect(t.out).toBe('trade_id,symbol\r\n1,EURUSD\r\n');
    const e = await runCli(['backtest', 'equity', 'op_backtesting_x']);
    expect(e.gets).toEqual(['/backtests/op_backtesting_x/equity_curve']);
    expect(JSON.parse(e.out)).toEqual({ success: true, trades: [] });
    await expect(runCli(['backtest', 'trades', 'op_backtesting_x', '--format', 'xml'])).rejects.toThrow(/--format must be csv or json/);
  });
});
