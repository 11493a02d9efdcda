import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../../src/core/bars/csv';
import { generateSyntheticBars } from '../../../src/core/bars/synthetic';
import { emptyBars, type BarSeries } from '../../../src/core/bars/types';
import { TEMP_MARKER, writeFileAtomic } from '../../../src/infra/bars/atomic';
import { encodeBarFile } from '../../../src/infra/bars/bar-file';
import { BarStore, InvalidSeriesNameError, SeriesNotFoundError } from '../../../src/infra/bars/bar-store';
import { SAMPLE_FILES, sampleText, tempDir } from './helpers';

function bars(symbol: string, tf: string, rows: [number, number][]): BarSeries {
  const b = emptyBars(symbol, tf, rows.length);
  rows.forEach(([t, c], i) => {
    b.time[i] = t;
    b.open[i] = c;
    b.high[i] = c + 1;
    b.low[i] = c - 1;
    b.close[i] = c;
    b.volume[i] = 100;
  });
  return b;
}
const H = 3_600_000;

let tmp: ReturnType<typeof tempDir>;
let store: BarStore;
beforeEach(() => {
  tmp = tempDir();
  store = new BarStore(join(tmp.dir, 'data'));
});
afterEach(() => tmp.cleanup());

describe('BarStore round trip', () => {
  it.each(SAMPLE_FILES)('%s: stored and read back bit for bit', (file, symbol, tf) => {
    const parsed = parseBarsCsv(sampleText(file), { symbol, timeframe: tf }).bars;
    const summary = store.write(parsed, { mode: 'replace', source: 'csv' });
    expect(summary.total).toBe(parsed.time.length);
    const back = store.read(symbol, tf);
    for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Buffer.from(back[c].buffer, back[c].byteOffset, back[c].byteLength).equals(Buffer.from(parsed[c].buffer, parsed[c].byteOffset, parsed[c].byteLength))).toBe(true);
    expect(back.meta).toEqual({ source: 'csv', synthetic: false });
  });

  it('lists series with their ranges, counts and provenance', () => {
    store.write(bars('eurusd', '1h', [[0, 1], [H, 2]]), { mode: 'replace', source: 'csv' });
    store.write(generateSyntheticBars({ symbol: 'AAPL', timeframe: '1d', start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 1, 1) }), { mode: 'replace', source: 'synthetic' });
    const list = store.list();
    expect(list.map((s) => `${s.symbol} ${s.timeframe}`)).toEqual(['AAPL 1d', 'EURUSD 1h']);
    expect(list[0].synthetic).toBe(true);
    expect(list[1]).toMatchObject({ start: 0, end: H, count: 2, source: 'csv', synthetic: false });
    expect(store.has('EURUSD', '1h')).toBe(true);
    expect(store.has('EURUSD', '4h')).toBe(false);
  });

  it('range queries return start ≤ t ≤ end', () => {
    store.write(bars('X', '1h', Array.from({ length: 100 }, (_, i) => [i * H, i] as [number, number])), { mode: 'replace', source: 'csv' });
    const r = store.read('X', '1h', { start: 10 * H, end: 20 * H });
    expect(Array.from(r.close)).toEqual(Array.from({ length: 11 }, (_, i) => 10 + i));
    expect(store.read('X', '1h', { start: 95 * H + 1 }).time.length).toBe(4);
    expect(store.read('X', '1h', { end: -1 }).time.length).toBe(0);
  });
});

describe('merge', () => {
  it('adds new bars, overwrites changed ones, counts identical ones', () => {
    store.write(bars('X', '1h', [[0, 1], [H, 2], [2 * H, 3]]), { mode: 'replace', source: 'csv' });
    const s = store.write(bars('X', '1h', [[H, 2], [2 * H, 30], [3 * H, 4]]), { mode: 'merge', source: 'dukascopy' });
    expect(s).toMatchObject({ added: 1, replaced: 1, unchanged: 1, total: 4, source: 'csv,dukascopy' });
    expect(Array.from(store.read('X', '1h').close)).toEqual([1, 2, 30, 4]);
    const r = store.write(bars('X', '1h', [[5 * H, 9]]), { mode: 'replace', source: 'csv' });
    expect(r.total).toBe(1);
  });

  it('refuses unsorted input rather than storing it', () => {
    expect(() => store.write(bars('X', '1h', [[H, 1], [0, 2]]), { mode: 'merge', source: 'csv' })).toThrow(/sorted/);
  });
});

describe('crash safety', () => {
  it('an interrupted write (leftover temp file, truncated temp) never corrupts what was there', () => {
    store.write(bars('X', '1h', [[0, 1], [H, 2]]), { mode: 'replace', source: 'csv' });
    const dir = join(store.dataDir, 'X');
    const target = join(dir, '1h.bars');
    // A writer died after writing half of its temp file: the rename never happened.
    const next = encodeBarFile(bars('X', '1h', [[0, 7], [H, 8], [2 * H, 9]]), { source: 'csv', synthetic: false });
    writeFileSync(`${target}${TEMP_MARKER}999-dead`, next.subarray(0, Math.floor(next.length / 2)));
    expect(Array.from(store.read('X', '1h').close)).toEqual([1, 2]);
    expect(store.list()).toHaveLength(1);
    // The next write still works and replaces the file as a whole.
    store.write(bars('X', '1h', [[2 * H, 3]]), { mode: 'merge', source: 'csv' });
    expect(Array.from(store.read('X', '1h').close)).toEqual([1, 2, 3]);
  });

  it('writeFileAtomic leaves no temp file behind and replaces the content whole', () => {
    const p = join(tmp.dir, 'f.bin');
    writeFileAtomic(p, Buffer.from('old'));
    writeFileAtomic(p, Buffer.from('new content'));
    expect(readFileSync(p, 'utf8')).toBe('new content');
    expect(readdirSync(tmp.dir).filter((f) => f.includes(TEMP_MARKER))).toEqual([]);
  });

  it('a truncated bar file is reported, not misread', () => {
    store.write(bars('X', '1h', [[0, 1], [H, 2]]), { mode: 'replace', source: 'csv' });
    const target = join(store.dataDir, 'X', '1h.bars');
    writeFileSync(target, readFileSync(target).subarray(0, 100));
    expect(() => store.read('X', '1h')).toThrow(/truncated|corrupt/);
  });
});

describe('names and resampling', () => {
  it('symbols never escape the data directory', () => {
    for (const bad of ['..', '../etc', 'A/B', 'a\\b', '.hidden', '', 'X'.repeat(40)]) {
      expect(() => store.has(bad, '1h'), bad).toThrow(InvalidSeriesNameError);
    }
    expect(() => store.has('EURUSD', '7x')).toThrow(InvalidSeriesNameError);
    expect(() => store.read('NOPE', '1h')).toThrow(SeriesNotFoundError);
    expect(existsSync(join(tmp.dir, 'etc'))).toBe(false);
  });

  it('load() resamples from the coarsest finer stored timeframe and says so', () => {
    const start = Date.UTC(2024, 0, 1);
    store.write(generateSyntheticBars({ symbol: 'BTCUSD', timeframe: '1m', start, end: start + 2 * 86_400_000 }), { mode: 'replace', source: 'synthetic' });
    store.write(generateSyntheticBars({ symbol: 'BTCUSD', timeframe: '1h', start, end: start + 2 * 86_400_000 }), { mode: 'replace', source: 'synthetic' });
    const r = store.load('BTCUSD', '4h');
    expect(r).toMatchObject({ sourceTimeframe: '1h', resampled: true });
    expect(r.bars.time.length).toBe(12);
    expect(r.bars.meta?.synthetic).toBe(true);
    const ranged = store.load('BTCUSD', '4h', { start: start + 5 * H, end: start + 12 * H });
    expect(Array.from(ranged.bars.time)).toEqual([start + 8 * H, start + 12 * H]);
    expect(store.load('BTCUSD', '1h').resampled).toBe(false);
    expect(() => store.load('BTCUSD', '1w')).not.toThrow();
    expect(() => store.load('ETHUSD', '4h')).toThrow(SeriesNotFoundError);
  });
});

describe('timeframe names', () => {
  it('accepts minute/hour/day/week spellings and refuses the month (1M) rather than reading it as 1m', async () => {
    const { normalizeTimeframe, normalizeSymbol } = await import('../../../src/core/bars/symbols');
    expect(normalizeTimeframe('1H')).toBe('1h');
    expect(normalizeTimeframe('05m')).toBe('5m');
    expect(normalizeTimeframe('1M')).toBeNull();
    expect(normalizeTimeframe('1y')).toBeNull();
    expect(normalizeSymbol(' eurusd ')).toBe('EURUSD');
    expect(normalizeSymbol('BRK.B')).toBe('BRK.B');
  });
});
