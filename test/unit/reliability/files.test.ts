import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { isStaleLock, sweepLeftovers, withFileLock, withFileLockAsync } from '../../../src/infra/bars/atomic';
import { BarStore, CorruptSeriesError } from '../../../src/infra/bars/bar-store';
import { encodeBarFile } from '../../../src/infra/bars/bar-file';
import { importCsvText, ImportRefusedError } from '../../../src/infra/bars/import';
import { ImportFileError, importRoots, readImportFile, resolveImportPath } from '../../../src/infra/import-files';
import { isProcessAlive } from '../../../src/infra/process-alive';
import { ConfigError, loadConfig } from '../../../src/main/config';
import { acquireHomeLock } from '../../../src/main/home-lock';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ktrdr-rel-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A zombie: a child that exited and that we deliberately have not reaped yet (kept by a parent that sleeps). */
async function zombiePid(): Promise<{ pid: number; cleanup: () => void }> {
  // The parent forks a child that exits at once and never waits for it: the child stays a zombie.
  const parent = spawn('/usr/bin/python3', ['-c', 'import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const out = await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d))));
  return { pid: Number(out.trim()), cleanup: () => parent.kill('SIGKILL') };
}

describe('process liveness (#17.4, #17.11)', () => {
  it.skipIf(!existsSync('/usr/bin/python3') || process.platform !== 'linux')('counts a zombie as dead (needs /usr/bin/python3 to make one)', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
    const z = await zombiePid();
    try {
      // Wait for the background `true` to exit and become a zombie.
      const isZombie = () => /\) Z /.test(readFileSync(`/proc/${z.pid}/stat`, 'utf8'));
      for (let i = 0; i < 500 && !isZombie(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(z.pid).toBeGreaterThan(0);
      expect(isZombie()).toBe(true);
      expect(isProcessAlive(z.pid)).toBe(false);
      // The home lock it "holds" is taken over instead of refusing the start.
      const home = tmp();
      writeFileSync(join(home, 'server.lock'), JSON.stringify({ pid: z.pid, port: 1 }));
      (await acquireHomeLock(home, { port: 2 })).release();
    } finally {
      z.cleanup();
    }
  });
});

describe('series locks', () => {
  it('takes over a lock whose owner is gone at once, and times out on a live owner', async () => {
    const dir = tmp();
    const lock = join(dir, '1d.bars.lock');
    writeFileSync(lock, String(2 ** 22 + 999));
    expect(isStaleLock(lock)).toBe(true);
    expect(withFileLock(lock, () => 42)).toBe(42);
    expect(existsSync(lock)).toBe(false);
    writeFileSync(lock, String(process.ppid));
    expect(isStaleLock(lock)).toBe(false);
    await expect(withFileLockAsync(lock, () => 1, 200)).rejects.toThrow(/Timed out waiting for 1d.bars.lock/);
  });

  it('waits asynchronously: timers keep firing while the lock is held', async () => {
    const dir = tmp();
    const lock = join(dir, 'x.lock');
    writeFileSync(lock, String(process.ppid));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const waiting = withFileLockAsync(lock, () => 'got it', 5000);
    await new Promise((r) => setTimeout(r, 150));
    rmSync(lock);
    expect(await waiting).toBe('got it');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('sweeps temp files of dead writers and stale locks at start, keeping live ones', () => {
    const data = tmp();
    mkdirSync(join(data, 'EURUSD'));
    const deadTmp = join(data, 'EURUSD', `1h.bars.tmp-${2 ** 22 + 7}-abc-def`);
    const deadLock = join(data, 'EURUSD', '1h.bars.lock');
    const liveLock = join(data, 'EURUSD', '1d.bars.lock');
    writeFileSync(deadTmp, 'partial');
    writeFileSync(deadLock, String(2 ** 22 + 7));
    writeFileSync(liveLock, String(process.ppid));
    const removed = sweepLeftovers(data);
    expect(removed.sort()).toEqual([deadLock, deadTmp].sort());
    expect(existsSync(liveLock)).toBe(true);
  });
});

describe('the bar store never stores or lists what it cannot serve (#17.2)', () => {
  it('refuses implausible bars and lists the other series when a bad file exists', () => {
    const store = new BarStore(tmp());
    const bars = (t: number[]) => ({ symbol: 'GOOD', timeframe: '1d', time: Float64Array.from(t), open: Float64Array.from(t, () => 1), high: Float64Array.from(t, () => 1), low: Float64Array.from(t, () => 1), close: Float64Array.from(t, () => 1), volume: Float64Array.from(t, () => 1) });
    store.write(bars([Date.parse('2020-01-01')]), { mode: 'replace', source: 'csv' });
    expect(() => store.write({ ...bars([1.5778368e18]), symbol: 'BAD' }, { mode: 'replace', source: 'csv' })).toThrow(/1900–2200/);
    // A file written before the guard existed (as in the audit) is skipped by the listing and refused by reads.
    mkdirSync(join(store.dataDir, 'BAD'));
    writeFileSync(join(store.dataDir, 'BAD', '1d.bars'), encodeBarFile({ ...bars([1.5778368e18]), symbol: 'BAD' }, { source: 'csv', synthetic: false }));
    writeFileSync(join(store.dataDir, 'BAD', '1h.bars'), 'garbage');
    expect(store.list().map((s) => s.symbol)).toEqual(['GOOD']);
    expect(() => store.read('BAD', '1d')).toThrow(CorruptSeriesError);
    expect(() => store.info('BAD', '1h')).toThrow(CorruptSeriesError);
    // A merge import over the bad file replaces it.
    store.write({ ...bars([Date.parse('2020-01-01')]), symbol: 'BAD' }, { mode: 'merge', source: 'csv' });
    expect(store.list().map((s) => s.symbol)).toEqual(['BAD', 'GOOD']);
  });

  it('an import with rejected rows or the wrong timeframe stores nothing', () => {
    const store = new BarStore(tmp());
    const hourly = ['timestamp,open,high,low,close,volume', ...Array.from({ length: 10 }, (_, i) => `2024-01-02T${String(i + 10).padStart(2, '0')}:00:00Z,1,2,0.5,1.5,1`)];
    const err = (() => {
      try {
        importCsvText(store, hourly.join('\n'), { symbol: 'X', timeframe: '1d', mode: 'merge' });
      } catch (e) {
        return e as ImportRefusedError;
      }
    })();
    expect(err).toBeInstanceOf(ImportRefusedError);
    expect(err!.extra).toEqual({ inferred_timeframe: '1h', problems: [{ kind: 'timeframe', message: expect.stringMatching(/^The timestamps are 1h bars, not 1d/) }] });
    expect(err!.message).toMatch(/median spacing of 9 intervals is 1 h/);
    expect(() => importCsvText(store, [...hourly, 'bad,1,1,1,1,1'].join('\n'), { symbol: 'X', timeframe: '1h', mode: 'merge' })).toThrow(/1 of 11 rows were rejected/);
    expect(store.list()).toEqual([]);
    expect(importCsvText(store, [...hourly, 'bad,1,1,1,1,1'].join('\n'), { symbol: 'X', timeframe: '1h', mode: 'merge', keepValidRows: true }).imported).toBe(10);
  });
});

describe('server-side paths (#17.3, #17.6)', () => {
  it('accepts only files inside the import roots, symlinks resolved, and never probes outside', () => {
    const home = tmp();
    const roots = importRoots(home, undefined);
    mkdirSync(roots[0]);
    writeFileSync(join(roots[0], 'a.csv'), 'x');
    symlinkSync('/etc/passwd', join(roots[0], 'link.csv'));
    expect(resolveImportPath('a.csv', roots)).toBe(join(roots[0], 'a.csv'));
    expect(resolveImportPath(join(roots[0], 'a.csv'), roots)).toBe(join(roots[0], 'a.csv'));
    for (const p of ['/etc/passwd', '/proc/self/environ', join(roots[0], 'link.csv'), '../../etc/passwd', '/nonexistent/x.csv']) {
      expect(() => resolveImportPath(p, roots), p).toThrow(expect.objectContaining({ statusCode: 403 }));
    }
    expect(() => resolveImportPath('missing.csv', roots)).toThrow(expect.objectContaining({ statusCode: 404 }));
  });

  it('bounds decompression: a gzip bomb is a 413, not a 600 MB allocation', () => {
    const dir = tmp();
    const bomb = join(dir, 'bomb.csv.gz');
    writeFileSync(bomb, gzipSync(Buffer.alloc(8 * 1024 * 1024)));
    expect(() => readImportFile(bomb, 1024 * 1024)).toThrow(expect.objectContaining({ statusCode: 413 }));
    expect(() => readImportFile(bomb, 1024)).toThrow(ImportFileError);
    expect(readImportFile(bomb, 16 * 1024 * 1024).length).toBe(8 * 1024 * 1024);
  });
});

describe('settings are validated at start (#17.12)', () => {
  it('names the setting and the rule', () => {
    expect(() => loadConfig({ KTRDR_MAX_WORKERS: '-1' })).toThrow(/KTRDR_MAX_WORKERS=-1 is not valid: an integer 1–256/);
    expect(() => loadConfig({ KTRDR_MAX_WORKERS: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ KTRDR_IMPORT_LIMIT: 'lots' })).toThrow(/KTRDR_IMPORT_LIMIT/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL=loud/);
    expect(() => loadConfig({ KTRDR_TF_BACKEND: 'gpu' })).toThrow(/KTRDR_TF_BACKEND/);
    expect(() => loadConfig({ KTRDR_IMPORT_DIRS: 'relative/dir' })).toThrow(/absolute/);
    expect(() => loadConfig({ OPERATIONS_CACHE_TTL: ' ' })).toThrow(/OPERATIONS_CACHE_TTL/);
    expect(loadConfig({ KTRDR_MAX_WORKERS: '3', KTRDR_IMPORT_DIRS: '/a:/b' })).toMatchObject({ maxWorkers: 3, importDirs: ['/a', '/b'] });
  });
});
