// The MCP server's guards: names, paths inside KTRDR_HOME (symlinks included), session budget.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkName, checkPathInHome, GuardError, SessionBudget, type OperationState } from '../../../src/cli/mcp/guards';

const root = mkdtempSync(join(tmpdir(), 'ktrdr-guards-'));
const home = join(root, 'home');
mkdirSync(join(home, 'data'), { recursive: true });
mkdirSync(join(root, 'outside'));
symlinkSync(join(root, 'outside'), join(home, 'link-out'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('checkPathInHome', () => {
  it('accepts paths inside home, relative or absolute, existing or not', () => {
    expect(checkPathInHome('data/x.csv', home)).toMatch(/home[\\/]data[\\/]x\.csv$/);
    expect(checkPathInHome(join(home, 'new', 'deeper.csv'), home)).toMatch(/home[\\/]new[\\/]deeper\.csv$/);
  });
  it('refuses parents, absolute paths elsewhere and symlinks that lead out', () => {
    for (const p of ['../outside/x.csv', '/etc/passwd', join(home, 'data', '..', '..', 'outside'), 'link-out/x.csv', join(home, 'link-out')])
      expect(() => checkPathInHome(p, home), p).toThrow(/outside KTRDR_HOME/);
  });
});

describe('checkName', () => {
  it('allows model-safe names only', () => {
    expect(checkName('my_idea-2')).toBe('my_idea-2');
    for (const bad of ['../x', 'a/b', '.hidden', '', 'a b']) expect(() => checkName(bad)).toThrow(GuardError);
  });
});

describe('SessionBudget', () => {
  function budget(maxConcurrent: number, maxTrainingMinutes: number, states: Record<string, OperationState>, now = { t: Date.parse('2026-01-01T00:10:00Z') }) {
    return new SessionBudget({ maxConcurrent, maxTrainingMinutes }, async (id) => states[id], () => now.t);
  }
  const st = (operation_type: string, status: OperationState['status'], started_at: string | null, completed_at: string | null = null): OperationState => ({ operation_type, status, started_at, completed_at });

  it('refuses beyond the concurrent limit and admits again once an operation ends', async () => {
    const states = { a: st('backtesting', 'running', '2026-01-01T00:09:00Z') };
    const b = budget(1, 60, states);
    (await b.admit('backtesting')).commit('a');
    await expect(b.admit('backtesting')).rejects.toThrow(/allows 1 concurrent operation\(s\); 1 slot\(s\) are in use \(a\)/);
    states.a = st('backtesting', 'completed', '2026-01-01T00:09:00Z', '2026-01-01T00:09:30Z');
    await expect(b.admit('backtesting')).resolves.toMatchObject({ weight: 1 });
  });

  it('reserves before the start request: parallel admits cannot all pass; a released seat is free again', async () => {
    const states: Record<string, OperationState> = {};
    // A slow server: every state read takes a moment, as the POST would.
    const b = new SessionBudget({ maxConcurrent: 2, maxTrainingMinutes: 60 }, async (id) => {
      await new Promise((r) => setTimeout(r, 5));
      return states[id];
    });
    const tries = await Promise.allSettled(Array.from({ length: 20 }, () => b.admit('training')));
    const seats = tries.filter((t) => t.status === 'fulfilled');
    expect(seats).toHaveLength(2);
    for (const t of tries.filter((x) => x.status === 'rejected')) expect(String((t as PromiseRejectedResult).reason)).toMatch(/2 slot\(s\) are in use \(starts in flight\)/);
    (seats[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof b.admit>>>).value.release();
    (seats[1] as PromiseFulfilledResult<Awaited<ReturnType<typeof b.admit>>>).value.commit('x');
    states.x = st('training', 'running', null);
    await expect(b.admit('training')).resolves.toMatchObject({ weight: 1 });
    await expect(b.admit('training')).rejects.toThrow(/2 slot\(s\) are in use/);
  });

  it('an experiment holds max_parallel slots (capped by its trials), or the free ones; its trials\' training adds up', async () => {
    const states: Record<string, OperationState> = { sw: st('sweep', 'running', '2026-01-01T00:09:00Z') };
    const kids: Record<string, OperationState[]> = {
      sw: [st('training', 'completed', '2026-01-01T00:09:00Z', '2026-01-01T00:09:30Z'), st('training', 'running', '2026-01-01T00:09:00Z'), st('backtesting', 'running', '2026-01-01T00:09:30Z')],
    };
    const now = { t: Date.parse('2026-01-01T00:10:00Z') };
    const b = new SessionBudget({ maxConcurrent: 4, maxTrainingMinutes: 60 }, async (id) => states[id], () => now.t, async (id) => kids[id] ?? []);
    await expect(b.admit('sweep', 5)).rejects.toThrow(/would run 5 at once/);
    const seat = await b.admit('sweep', (free) => Math.min(free, 3));
    expect(seat.weight).toBe(3);
    seat.commit('sw');
    await b.refresh();
    expect(b.slotsInUse()).toBe(3);
    // Two trainings: 0.5 min finished + 1 min running, more than the sweep's own 1 min of wall time.
    expect(b.trainingMinutes()).toBeCloseTo(1.5, 10);
    await expect(b.admit('training', 2)).rejects.toThrow(/3 slot\(s\) are in use \(sw ×3\)/);
    await expect(b.admit('training')).resolves.toMatchObject({ weight: 1 });
  });

  it('adds up training minutes of finished and running training (not backtests) and names what overran', async () => {
    const states = {
      t1: st('training', 'completed', '2026-01-01T00:00:00Z', '2026-01-01T00:03:00Z'), // 3 min
      t2: st('training', 'running', '2026-01-01T00:08:00Z'), // 2 min so far (now = 00:10)
      bt: st('backtesting', 'completed', '2026-01-01T00:00:00Z', '2026-01-01T00:09:00Z'), // not training
    };
    const b = budget(5, 5, states);
    for (const [id, s] of Object.entries(states)) b.record(id, s.operation_type);
    await b.refresh();
    expect(b.trainingMinutes()).toBeCloseTo(5, 10);
    await expect(b.admit('training')).rejects.toThrow(/used 5\.00 of its 5 training minutes/);
    await expect(b.admit('backtesting')).resolves.toMatchObject({ weight: 1 }); // backtests do not spend training minutes
    expect(b.overBudget()).toEqual([]); // exactly at the limit, not over
    const later = budget(5, 4.5, states);
    for (const [id, s] of Object.entries(states)) later.record(id, s.operation_type);
    await later.refresh();
    expect(later.overBudget()).toEqual(['t2']);
  });

  it('a resumed training is active again and keeps the minutes its first run used (cancel + resume cannot reset the budget)', async () => {
    const now = { t: Date.parse('2026-01-01T00:10:00Z') };
    const states = { t1: st('training', 'cancelled', '2026-01-01T00:00:00Z', '2026-01-01T00:04:00Z') }; // 4 min
    const b = budget(1, 5, states, now);
    b.record('t1', 'training');
    await b.refresh();
    expect(b.trainingMinutes()).toBeCloseTo(4, 10);
    b.resumed('t1');
    states.t1 = st('training', 'running', '2026-01-01T00:09:00Z'); // the server restarts started_at
    await b.refresh();
    expect(b.active().map((a) => a.id)).toEqual(['t1']);
    expect(b.trainingMinutes()).toBeCloseTo(5, 10); // 4 before + 1 since the resume
    await expect(b.admit('training')).rejects.toThrow(/allows 1 concurrent operation/);
  });
});
