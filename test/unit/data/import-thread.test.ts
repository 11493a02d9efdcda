// CSV imports and JSON bodies on the parse threads: the same result as the synchronous path (bar
// columns, rejected rows, evidence), the same error classes with the same messages and fields, and
// time/memory limits that fit legitimate large imports.
import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CsvFormatError } from '../../../src/core/bars/csv';
import { ImportRefusedError, prepareImport, prepareImportAsync, type ImportOptions } from '../../../src/infra/bars/import';
import { bulkTimeoutMs, ParseAbandonedError, ParsePool, parseThreadHeapMb } from '../../../src/infra/threads/parse-pool';

const tsx = createRequire(__filename).resolve('tsx/cjs');
const testEntry = { file: join(__dirname, '../strategy/fixtures/hang-parse-thread.ts'), tsx };
const H = 'timestamp,open,high,low,close,volume';
const hourly = (n: number, from = Date.UTC(2024, 0, 2, 10)) => Array.from({ length: n }, (_, i) => `${new Date(from + i * 3_600_000).toISOString()},1,2,0.5,1.5,${i}`);
const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ symbol: 'X', timeframe: '1h', mode: 'merge', ...o });

const accepted: Array<[string, string, ImportOptions]> = [
  ['KTRDR hourly', [H, ...hourly(50)].join('\n'), opts()],
  ['rejected rows kept', [H, ...hourly(6), 'bad,1,2,3,4,5', '2024-01-03T00:00:00Z,1,0.5,2,1.5,1', '2020-02-30T12:00:00Z,1,2,0.5,1.5,1', '2300-01-01,1,2,0.5,1.5,1'].join('\n'), opts({ keepValidRows: true })],
  ['rejected rows, no echo', [H, ...hourly(3), 'bad,1,2,3,4,5'].join('\r\n'), opts({ keepValidRows: true, echoContent: false })],
  ['time zone, naive across DST', ['Date,Time,Open,High,Low,Close,Volume', '2024-03-09,10:00,1,2,0.5,1.5,1', '2024-03-10,10:00,1,2,0.5,1.5,1', '2024-03-11,10:00,1,2,0.5,1.5,1'].join('\n'), opts({ timeframe: '1d', timezone: 'America/New_York', checkTimeframe: false })],
  ['epoch s', [H, ...[0, 1, 2, 3].map((i) => `${1704189600 + i * 3600},1,2,0.5,1.5,1`)].join('\n'), opts()],
  ['epoch ms, no header, semicolons', [0, 1, 2].map((i) => `${1704189600000 + i * 3600000};1;2;0.5;1.5;1`).join('\n'), opts()],
  ['epoch ns', [H, ...[0, 1, 2].map((i) => `${(1704189600 + i * 3600) * 1e9},1,2,0.5,1.5,1`)].join('\n'), opts()],
  ['unsorted with duplicates, BOM', '\ufeff' + [H, ...hourly(5).reverse(), hourly(1)[0].replace(',1.5,', ',1.25,')].join('\n'), opts()],
  ['preview: mismatch not checked', [H, ...hourly(30)].join('\n'), opts({ timeframe: '1d', checkTimeframe: false, keepValidRows: true })],
];

const refused: Array<[string, string, ImportOptions]> = [
  ['header without prices', 'when,price\n2024-01-02,1\n', opts()],
  ['header without prices, no echo', 'root:x:0:0:root:/root:/bin/bash\n', opts({ echoContent: false })],
  ['too few columns', '2024-01-02,1,2\n', opts()],
  ['rejected rows refused', [H, ...hourly(4), 'bad,1,2,3,4,5', '2024-01-09T00:00:00Z,1,0.5,2,1.5,1'].join('\n'), opts()],
  ['no valid row', [H, 'bad,1,2,3,4,5'].join('\n'), opts()],
  ['no data rows', H, opts()],
  ['timeframe mismatch', [H, ...hourly(10)].join('\n'), opts({ timeframe: '1d' })],
  ['far future', [H, '8640000000000000,1,1.1,0.9,1.05,1'].join('\n'), opts({ timeframe: '1d' })],
];

function thrownBy(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
}

describe('ParsePool: CSV import and JSON tasks', () => {
  const pool = new ParsePool({ size: 2 });
  const test = new ParsePool({ size: 1, timeoutMs: 300, bulkTimeoutMs: () => 1200, entry: testEntry });
  afterAll(async () => {
    await pool.close();
    await test.close();
  });

  it('prepareImport on a thread equals the synchronous one: bars, rejected rows, duplicates, evidence, formats', async () => {
    const results = await Promise.all(accepted.map(([, text, o]) => pool.prepareImport(text, o)));
    accepted.forEach(([name, text, o], i) => {
      const sync = prepareImport(text, o);
      expect(results[i], name).toStrictEqual(sync);
      expect(results[i].parsed.bars.time, name).toBeInstanceOf(Float64Array);
    });
    // The cases cover what they claim.
    expect(results[1].parsed.rejectedCount).toBe(4);
    expect(results[2].parsed.rejected).toEqual([{ line: 5, reason: 'invalid timestamp' }]);
    expect(results[3].parsed.bars.time[1] - results[3].parsed.bars.time[0]).toBe(23 * 3_600_000);
    expect(results.slice(4, 7).map((r) => r.parsed.timestampFormat)).toEqual(['epoch_s', 'epoch_ms', 'epoch_ns']);
    expect(results[7].parsed).toMatchObject({ duplicates: 1, resorted: true });
    expect(results[8].evidence.timeframe).toBe('1h');
  });

  it('refusals arrive as the same class with the same message and fields', async () => {
    for (const [name, text, o] of refused) {
      const sync = thrownBy(() => prepareImport(text, o));
      const err = await pool.prepareImport(text, o).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, name).toBeInstanceOf(sync.constructor);
      expect(err!.constructor, name).toBe(sync.constructor);
      expect(err!.message, name).toBe(sync.message);
      if (sync instanceof ImportRefusedError) expect((err as ImportRefusedError).extra, name).toStrictEqual(sync.extra);
    }
    // Both classes are covered, with their fields.
    expect(thrownBy(() => prepareImport(refused[0][1], refused[0][2]))).toBeInstanceOf(CsvFormatError);
    const rej = (await pool.prepareImport(refused[3][1], refused[3][2]).catch((e: unknown) => e)) as ImportRefusedError;
    expect(rej.extra).toMatchObject({ skipped: 2, rows: 6, valid_count: 4, rejected: [{ line: 6 }, { line: 7 }] });
  });

  it('prepareImportAsync uses the pool when given one, and the chunked event-loop parse otherwise (same answers)', async () => {
    const [, text, o] = accepted[1];
    expect(await prepareImportAsync(text, o, pool)).toStrictEqual(await prepareImportAsync(text, o));
    const [, bad, ob] = refused[3];
    const viaPool = await prepareImportAsync(bad, ob, pool).catch((e: Error) => e);
    const inline = await prepareImportAsync(bad, ob).catch((e: Error) => e);
    expect(viaPool).toBeInstanceOf(ImportRefusedError);
    expect(viaPool).toStrictEqual(inline);
  });

  it('JSON (text or UTF-8 bytes): the value JSON.parse gives, and its SyntaxError message', async () => {
    const body = JSON.stringify({ symbol: 'X', csv: [H, ...hourly(3)].join('\n'), n: [1, -0, 1e300, null, true], nested: { a: [{ b: 'é\u2028' }] }, __proto__x: 1 });
    expect(await pool.parseJson(body)).toStrictEqual(JSON.parse(body));
    const own = (await pool.parseJson('{"__proto__":{"polluted":1}}')) as object;
    expect(Object.keys(own)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(own)).toBe(Object.prototype);
    // UTF-8 bytes (the server's path): decoded there like Buffer#toString, a buffer of its own moved, not copied.
    const bytes = Buffer.concat([Buffer.from(body), Buffer.alloc(8192, 0x20)]);
    expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length).toBe(true);
    expect(await pool.parseJson(bytes)).toStrictEqual(JSON.parse(body));
    expect(bytes.length).toBe(0); // detached
    const invalid = Buffer.from([0x22, 0xff, 0xc3, 0x22]);
    expect(await pool.parseJson(invalid)).toBe(JSON.parse(invalid.toString('utf8')));
    const pooled = Buffer.from('{"small":[1]}');
    expect(await pool.parseJson(pooled)).toEqual({ small: [1] });
    expect(pooled.toString()).toBe('{"small":[1]}'); // a view into a shared pool is copied
    expect(await pool.parseJson(Buffer.from(' \n\t '))).toBeUndefined();
    for (const bad of ['{"symbol":', '{"a":1,}', '[1 2]']) {
      const sync = thrownBy(() => JSON.parse(bad));
      for (const input of [bad, Buffer.from(bad)]) {
        const err = await pool.parseJson(input).catch((e: Error) => e);
        expect(err).toBeInstanceOf(SyntaxError);
        expect((err as Error).message).toBe(sync.message);
      }
    }
  });

  it('CSV and JSON tasks get a size-scaled time limit, not the strategy limit; overrunning it is a ParseAbandonedError', async () => {
    expect(bulkTimeoutMs(64 * 2 ** 20)).toBe(138_000);
    expect(bulkTimeoutMs(0)).toBe(10_000);
    // `SLOW` runs 600 ms, twice this pool's strategy limit (300 ms), half its CSV/JSON limit (1.2 s).
    expect((await test.prepareImport('SLOW', opts())).parsed.rows).toBe(1);
    expect(await test.parseJson('SLOW')).toBe('slow');
    expect((await test.parseStrategy('SLOW')).issues[0].message).toMatch(/within 0\.3 s/);
    const hung = await test.prepareImport('HANG', opts()).catch((e: Error) => e);
    expect(hung).toBeInstanceOf(ParseAbandonedError);
    expect(hung).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/could not be checked within 1 s .*nothing was stored/) });
    expect(await test.parseJson('HANG').catch((e: Error) => e)).toMatchObject({ reason: 'timeout' });
    // The thread was replaced: the next task works.
    expect(await test.parseJson('[1]')).toEqual([1]);
  });

  it('a task that fills the thread heap is abandoned (memory), the thread replaced; the heap fits the import limit', async () => {
    expect(parseThreadHeapMb(64 * 2 ** 20)).toBe(256);
    expect(parseThreadHeapMb(1024)).toBe(256);
    expect(parseThreadHeapMb(256 * 2 ** 20)).toBe(832);
    const small = new ParsePool({ size: 1, heapMb: 64, entry: testEntry });
    try {
      const err = await small.prepareImport('HOG', opts()).catch((e: Error) => e);
      expect(err).toBeInstanceOf(ParseAbandonedError);
      expect(err).toMatchObject({ reason: 'memory', message: expect.stringMatching(/more memory/) });
      expect((await small.parseStrategy('HOG')).issues[0].message).toMatch(/too much memory/);
      expect(await small.parseJson('{"ok":true}')).toEqual({ ok: true });
    } finally {
      await small.close();
    }
  });
});
