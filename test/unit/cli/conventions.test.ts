// One convention for every command (issue 27): --start/--end (the KTRDR spellings hidden but
// working), --json everywhere, -f/--follow on every command that starts an operation, errors in the
// flags the user typed, timeframes checked before the request, files that are not there in words.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { readCsvFile } from '../../../src/cli/commands/data';
import { childLines, PlainProgress } from '../../../src/cli/follow';
import { ApiError } from '../../../src/cli/http';
import { buildProgram, describeFailure } from '../../../src/cli/index';
import { checkTimeframes, dateRange, describeApiProblem, flagsFor, UsageError } from '../../../src/cli/options';

/** Every runnable command, by its full name ("data load"). */
function leaves(cmd: Command, prefix = ''): { name: string; cmd: Command }[] {
  const name = `${prefix}${prefix ? ' ' : ''}${cmd.name()}`;
  const kids = cmd.commands.flatMap((c) => leaves(c, name === 'ktrdr' ? '' : name));
  // A command with an action of its own (`backtest`) is runnable as well as its subcommands.
  const runnable = (cmd as unknown as { _actionHandler: unknown })._actionHandler !== null;
  return runnable && name !== 'ktrdr' ? [{ name, cmd }, ...kids] : kids;
}
const longFlags = (c: Command) => c.options.map((o) => o.long);
const visibleFlags = (c: Command) => c.options.filter((o) => !o.hidden).map((o) => o.long);

// Long-running servers print logs, not results.
const SERVERS = new Set(['serve', 'worker', 'mcp']);
const STARTERS = ['data load', 'train', 'models train', 'backtest', 'backtest run', 'experiment walk-forward', 'experiment sweep'];

describe('CLI conventions', () => {
  const all = leaves(buildProgram());

  it('every command that prints a result takes --json', () => {
    const missing = all.filter((l) => !SERVERS.has(l.name) && !longFlags(l.cmd).includes('--json')).map((l) => l.name);
    expect(missing).toEqual([]);
    expect(all.map((l) => l.name)).toEqual(expect.arrayContaining(['data show', 'backtest report', 'backtest trades', 'follow', 'models list']));
  });

  it('every date range is --start/--end; --start-date/--end-date work but are not shown', () => {
    const dated = all.filter((l) => longFlags(l.cmd).some((f) => /start/.test(f ?? '')));
    expect(dated.map((l) => l.name)).toEqual(expect.arrayContaining(['data show', 'data load', 'train', 'models train', 'backtest', 'backtest run', 'indicators calc', 'experiment sweep', 'experiment walk-forward']));
    for (const l of dated) {
      expect(visibleFlags(l.cmd), l.name).toEqual(expect.arrayContaining(['--start', '--end']));
      expect(visibleFlags(l.cmd), l.name).not.toContain('--start-date');
      expect(longFlags(l.cmd), l.name).toEqual(expect.arrayContaining(['--start-date', '--end-date']));
    }
    expect(dateRange({ startDate: '2024-01-01', end: '2024-02-01' })).toEqual({ start: '2024-01-01', end: '2024-02-01' });
    expect(() => dateRange({ start: '2024-01-01', startDate: '2023-01-01' })).toThrow(/--start and --start-date disagree/);
    expect(() => dateRange({ start: '2024-01-01' }, true)).toThrow(/--end is required/);
  });

  it('every command that starts an operation follows it only with -f/--follow (--no-follow accepted)', () => {
    for (const name of STARTERS) {
      const c = all.find((l) => l.name === name)!.cmd;
      const follow = c.options.find((o) => o.long === '--follow')!;
      expect(follow, name).toBeDefined();
      expect(follow.short, name).toBe('-f');
      expect(follow.defaultValue, name).toBeUndefined();
      expect(longFlags(c), name).toContain('--no-follow');
    }
  });

  it('names request fields by the flag typed, never by the API field', () => {
    const cmd = all.find((l) => l.name === 'train')!.cmd;
    const body = { success: false, error: { code: 'VALIDATION_ERROR', details: [{ field: 'end_date', message: 'must be after start_date (2020-01-01)' }] } };
    expect(describeApiProblem(body, '', flagsFor(cmd, ['train', 'x', '--start', '2020-01-01', '--end', '2019-01-01']))).toBe('--end: must be after --start (2020-01-01)');
    expect(describeApiProblem(body, '', flagsFor(cmd, ['train', 'x', '--start-date', '2020-01-01', '--end-date', '2019-01-01']))).toBe('--end-date: must be after --start-date (2020-01-01)');
    // querystring./body. prefixes and sweep space paths; prose words are left alone.
    const flags = flagsFor(null, []);
    expect(describeApiProblem({ error: { details: [{ field: 'querystring.end_date', message: 'invalid date' }] } }, '', flags)).toBe('--end: invalid date');
    expect(describeApiProblem({ error: { details: [{ field: 'space.indicators.nope.period', message: 'no such indicator' }] } }, '', flags)).toBe('--param indicators.nope.period: no such indicator');
    expect(describeApiProblem({ detail: 'the symbol is not stored; keep_valid_rows stores the rest' }, '', flags)).toBe('the symbol is not stored; --keep-valid-rows stores the rest');
    // The status code is not part of the message: 4xx says what is wrong, 5xx says the server failed.
    expect(describeFailure(new ApiError(404, 'HTTP 404: x', { detail: 'Strategy x not found' }), cmd, []).message).toBe('Strategy x not found');
    expect(describeFailure(new ApiError(500, 'HTTP 500: boom', { detail: 'boom' }), cmd, []).message).toBe('the server failed (HTTP 500): boom');
  });

  it('checks timeframes before asking the server, naming the flag and the problem only', () => {
    expect(checkTimeframes(['1h', '4h'], '--timeframes')).toEqual(['1h', '4h']);
    expect(() => checkTimeframes(['1h', '1x'], '--timeframes')).toThrow(UsageError);
    expect(() => checkTimeframes(['1x'], '--timeframes')).toThrow(/^--timeframes: '1x' is not a timeframe: write a number and a unit m\/h\/d\/w, e\.g\. 1m, 5m/);
    expect(() => checkTimeframes(['1x'], '--timeframes')).not.toThrow(/no timeframe given/);
  });

  it('a CSV that is not there is said in words, with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktrdr-cli-'));
    expect(() => readCsvFile(join(dir, 'nope.csv'))).toThrow(/nope\.csv: no such file/);
    expect(() => readCsvFile(dir)).toThrow(/is a folder: give a CSV file/);
    writeFileSync(join(dir, 'ok.csv'), 'a,b\n');
    expect(readCsvFile(join(dir, 'ok.csv'))).toBe('a,b\n');
    const f = describeFailure(Object.assign(new Error("ENOENT: no such file or directory, open 'x.yaml'"), { code: 'ENOENT', path: 'x.yaml' }), null, []);
    expect(f).toEqual({ message: 'cannot read x.yaml: no such file', code: 1 });
    expect(describeFailure(new UsageError('bad'), null, []).code).toBe(2);
  });

  it('following into a file writes plain, throttled lines and one line per child status change', () => {
    const p = new PlainProgress(5000);
    expect(p.line(1, 'Epoch 1/10 · Batch 1/100', 0)).toBe('[  1.0%] Epoch 1/10 · Batch 1/100');
    expect(p.line(2, 'Epoch 1/10 · Batch 2/100', 100)).toBeNull();
    expect(p.line(2, 'Epoch 1/10 · Batch 2/100', 5100)).toBe('[  2.0%] Epoch 1/10 · Batch 2/100');
    expect(p.line(2, 'Epoch 1/10 · Batch 2/100', 20_000)).toBeNull(); // same text: nothing new
    const seen = new Map<string, string>();
    const kids = [{ operation_id: 'op_a', operation_type: 'training', status: 'running', metadata: { trial: 0 } }];
    expect(childLines(kids, seen)).toEqual(['  trial 1 training running (op_a)']);
    expect(childLines(kids, seen)).toEqual([]);
    expect(childLines([{ ...kids[0], status: 'failed', error_message: 'boom' }], seen)).toEqual(['  trial 1 training failed: boom (op_a)']);
    // A sweep's final holdout backtest carries its trial too: named apart from that trial's selection backtest.
    expect(childLines([{ operation_id: 'op_f', operation_type: 'backtesting', status: 'completed', metadata: { trial: 1, final: true } }], seen)).toEqual(['  final holdout, trial 2 backtesting completed (op_f)']);
  });
});
