// The strategy parse threads: same results as the synchronous parser, a clear issue for text the
// thread does not finish, a crashed thread replaced, and idle threads never keeping a process alive.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStrategy } from '../../../src/core/strategy';
import { StrategyCatalog, StrategyValidationFailedError } from '../../../src/infra/strategies';
import { ParsePool } from '../../../src/infra/threads/parse-pool';

const REPO = join(__dirname, '../../..');
const tsx = createRequire(__filename).resolve('tsx/cjs');
const hangEntry = { file: join(__dirname, 'fixtures/hang-parse-thread.ts'), tsx };

const texts: Array<[string, string]> = [
  ...readdirSync(join(REPO, 'strategies')).map((f): [string, string] => [f, readFileSync(join(REPO, 'strategies', f), 'utf8')]),
  ...readdirSync(join(__dirname, 'fixtures'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, string] => [f, readFileSync(join(__dirname, 'fixtures', f), 'utf8')]),
  ['error-dense.yaml', 'a: b: c\n'.repeat(300)],
  ['nested.yaml', 'a: ' + '{'.repeat(350)],
  ['empty.yaml', ''],
  ['semantic.yaml', 'name: broken\nindicators: {}\n'],
  ['oversized.yaml', 'x'.repeat(20_000)],
];

if (process.platform !== 'linux') console.warn('SKIP parse-thread priority test: only Linux keeps a nice value per thread (the thread leaves its priority alone elsewhere)');

describe('ParsePool: strategy tasks', () => {
  const pool = new ParsePool({ size: 2 });
  const hanging = new ParsePool({ size: 1, timeoutMs: 300, entry: hangEntry });
  afterAll(async () => {
    await pool.close();
    await hanging.close();
  });

  it('gives the same result as the synchronous parser, valid and invalid texts alike, on at most `size` threads', async () => {
    expect(pool.threadCount()).toBe(0); // started on first need
    const results = await Promise.all(texts.map(([name, text]) => pool.parseStrategy(text, name)));
    expect(pool.threadCount()).toBeGreaterThan(0);
    expect(pool.threadCount()).toBeLessThanOrEqual(2);
    texts.forEach(([name, text], i) => expect(results[i], name).toStrictEqual(parseStrategy(text, { sourceName: name })));
    expect(results.filter((r) => r.valid).length).toBeGreaterThanOrEqual(6);
    expect(results.filter((r) => !r.valid).length).toBeGreaterThanOrEqual(5);
  });

  it.skipIf(process.platform !== 'linux')('on Linux the parse thread runs niced; the event loop keeps its priority', async () => {
    const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    const before = getPriority();
    await pool.parseStrategy('name: x\n');
    const nices = readdirSync('/proc/self/task').map((t) => {
      try {
        return niceOf(readFileSync(`/proc/self/task/${t}/stat`, 'utf8'));
      } catch {
        return null; // thread ended meanwhile
      }
    });
    expect(nices).toContain(Math.min(19, before + 10));
    expect(getPriority()).toBe(before);
  });

  it('abandons a parse that overruns its time with a clear issue, and replaces the thread', async () => {
    const r = await hanging.parseStrategy('HANG', 'x.yaml');
    expect(r).toEqual({ valid: false, issues: [{ severity: 'error', category: 'yaml', message: expect.stringMatching(/could not be parsed within 0\.3 s; it is too complex/), line: 1, column: 1 }] });
    expect(hanging.threadCount()).toBe(0);
    // The next text gets a fresh thread and the real answer.
    expect(await hanging.parseStrategy('name: x\n', 'x.yaml')).toStrictEqual(parseStrategy('name: x\n', { sourceName: 'x.yaml' }));
  });

  it('a thread that dies mid-parse fails that parse with the reason; the next one works', async () => {
    await expect(hanging.parseStrategy('CRASH')).rejects.toThrow(/parse thread stopped \(exit code 3\)/);
    expect((await hanging.parseStrategy('a: b: c\n')).valid).toBe(false);
  });

  it('after close, parses are refused instead of hanging', async () => {
    const p = new ParsePool();
    await p.parseStrategy('name: x\n');
    await p.close();
    expect(p.threadCount()).toBe(0);
    await expect(p.parseStrategy('name: x\n')).rejects.toThrow(/shut down/);
  });

  it('never keeps the process alive: a script that parses and never closes the pool exits by itself', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/pool-exit.ts')], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined(); // no timeout kill
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('parsed valid=false issues=' + parseStrategy('name: x\n').issues.length + ' threads=1');
    expect(r.status).toBe(0);
  });
});

describe('StrategyCatalog.parseAsync / saveAsync', () => {
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-parse-async-'));
  const pool = new ParsePool({ size: 1, timeoutMs: 300, entry: hangEntry });
  const cat = new StrategyCatalog({ userDir: join(home, 'strategies'), parsePool: pool });
  afterAll(async () => {
    await pool.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('parses on the thread and caches, so the synchronous parse of the same text is the same object', async () => {
    const text = readFileSync(join(REPO, 'strategies/minimal.yaml'), 'utf8');
    const r = await cat.parseAsync(text, 'minimal.yaml');
    expect(r).toStrictEqual(parseStrategy(text, { sourceName: 'minimal.yaml' }));
    expect(cat.parse(text, 'minimal.yaml')).toBe(r);
    const saved = await cat.saveAsync('mine', text.replace('name: minimal', 'name: mine'));
    expect(saved.result.valid).toBe(true);
    expect(cat.load('mine')!.result).toBe(saved.result);
  });

  it('text the thread does not finish is invalid with a clear issue (validate: valid=false; save: refused, nothing written)', async () => {
    expect((await cat.parseAsync('HANG', 'h.yaml')).issues[0].message).toMatch(/too complex for a strategy file/);
    await expect(cat.saveAsync('hang', 'HANG')).rejects.toBeInstanceOf(StrategyValidationFailedError);
    expect(cat.find('hang')).toBeNull();
  });

  it('files read by name or listed are parsed on the thread: load/list that follow use those results', async () => {
    mkdirSync(join(home, 'strategies'), { recursive: true });
    // The test thread never finishes `HANG`; parsed synchronously it would be "not a mapping" instead.
    writeFileSync(join(home, 'strategies', 'stuck.yaml'), 'HANG');
    writeFileSync(join(home, 'strategies', 'stuck2.yaml'), 'HANG');
    const loaded = await cat.loadAsync('stuck');
    expect(loaded).toMatchObject({ name: 'stuck', source: 'user', yaml: 'HANG', result: { valid: false } });
    expect(loaded!.result.issues[0].message).toMatch(/too complex/);
    expect(cat.load('stuck')!.result).toBe(loaded!.result);
    expect(await cat.loadAsync('nope')).toBeNull();
    await cat.warmAll();
    const list = cat.list();
    expect(list.find((s) => s.name === 'stuck2')).toMatchObject({ valid: false, error_count: 1 });
    expect(cat.load('stuck2')!.result.issues[0].message).toMatch(/too complex/);
    expect(cat.summaryOf(cat.find('stuck2')!)).toEqual(list.find((s) => s.name === 'stuck2'));
    // Bundled files went through the thread too and are valid.
    expect(list.find((s) => s.name === 'minimal')).toMatchObject({ valid: true, source: 'bundled' });
  });

  it('a catalog with a non-default indicator catalogue parses synchronously (the threads know only the default one)', async () => {
    const custom = new StrategyCatalog({ userDir: join(home, 'strategies'), parsePool: pool, indicators: { ...(await import('../../../src/core/strategy')).DEFAULT_CATALOG } });
    // `HANG` would time out on the thread; parsed here it is just a YAML scalar, not a mapping.
    expect((await custom.parseAsync('HANG')).issues[0].message).toMatch(/must be a mapping/);
  });
});
