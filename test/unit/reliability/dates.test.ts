import { describe, expect, it } from 'vitest';
import { parseBarsCsv, parseBarsCsvAsync } from '../../../src/core/bars/csv';
import { inferTimeframe } from '../../../src/core/bars/infer-timeframe';
import { parseTimestamp } from '../../../src/core/bars/parse-fields';
import { checkEpochMs, epochToMs, parseStrictDate } from '../../../src/core/bars/user-date';
import { parseDateBoundary } from '../../../src/core/backtest/dates';
import { parseDateBound } from '../../../src/infra/models/training-inputs';

const ms = (iso: string) => Date.parse(iso);
const ts = (s: string) => parseTimestamp(s, 0, s.length);

// Issue #17.8/9: one strict parser; impossible dates and implausible instants are refused, not reinterpreted.
describe('parseStrictDate', () => {
  it('accepts real dates, date-times, offsets and epoch numbers of every unit', () => {
    expect(parseStrictDate('2020-02-29')).toEqual({ ok: true, ms: ms('2020-02-29T00:00:00Z') });
    expect(parseStrictDate('2020-02-29', 'end')).toEqual({ ok: true, ms: ms('2020-03-01T00:00:00Z') - 1 });
    expect(parseStrictDate('2024-01-02T09:30:00+05:30')).toEqual({ ok: true, ms: ms('2024-01-02T04:00:00Z') });
    expect(parseStrictDate('2024-01-02 09:30')).toEqual({ ok: true, ms: ms('2024-01-02T09:30:00Z') });
    for (const epoch of ['1577836800', '1577836800000', '1577836800000000', '1577836800000000000'])
      expect(parseStrictDate(epoch)).toEqual({ ok: true, ms: ms('2020-01-01T00:00:00Z') });
  });

  it('refuses impossible or implausible dates with a reason', () => {
    for (const bad of ['2020-02-30', '2021-02-29', '2020-13-01', '-1', '2024-01-02T09:30:00+99:99', '2024-01-02T24:00:00Z', '1899-12-31', '2201-01-01', '8640000000000000', '1e20', '', 'yesterday']) {
      const r = parseStrictDate(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
    }
  });

  it('is the parser behind the backtest and training boundaries too', () => {
    expect(parseDateBoundary('2020-02-30', 'start')).toBeNull();
    expect(parseDateBound('2020-02-30', false)).toBe('invalid');
    expect(parseDateBound('-1', false)).toBe('invalid');
    expect(parseDateBound('2020-01-31', true)).toBe(ms('2020-02-01T00:00:00Z') - 1);
  });

  it('checks inline epoch-ms numbers against 1900–2200', () => {
    for (const n of [1e20, -1e20, 1e308, 8.64e15 + 1, NaN]) expect(checkEpochMs(n).ok).toBe(false);
    expect(checkEpochMs(ms('2020-01-01T00:00:00Z')).ok).toBe(true);
    expect(epochToMs(1e20)).toBeNaN();
  });
});

describe('CSV timestamps', () => {
  it('reads epoch seconds, ms, µs and ns by magnitude (not year 51969)', () => {
    for (const t of ['1577836800', '1577836800000', '1577836800000000', '1577836800000000000']) expect(ts(t)).toBe(ms('2020-01-01T00:00:00Z'));
  });
  it('refuses impossible calendar days and offsets', () => {
    expect(ts('2020-02-30T00:00:00Z')).toBeNaN();
    expect(ts('2020-02-30')).toBeNaN();
    expect(ts('2020-01-01T00:00:00+99:99')).toBeNaN();
  });
  it('rejects rows outside 1900–2200 by line, and never quotes the file when told not to', () => {
    const csv = 'timestamp,open,high,low,close,volume\n8640000000000000,1,1,1,1,1\n2020-01-01T00:00:00Z,1,1,1,1,1\nsecret-text,1,1,1,1,1\n';
    const r = parseBarsCsv(csv, { symbol: 'X', timeframe: '1d', echoContent: false });
    expect(r.bars.time.length).toBe(1);
    expect(r.rejected).toEqual([
      { line: 2, reason: 'timestamp outside 1900-01-01 to 2200-12-31' },
      { line: 4, reason: 'invalid timestamp' },
    ]);
    expect(() => parseBarsCsv('root:x:0:0:root:/root:/bin/bash\n', { symbol: 'X', timeframe: '1d', echoContent: false })).toThrow(/^CSV header \(\d+ columns\) lacks/);
  });
  it('epoch units are one per file: a row in another unit is refused by line, not read in its own unit (issue 22.12)', () => {
    const us = (iso: string) => `${ms(iso) * 1000}`;
    const csv = [
      'timestamp,open,high,low,close,volume',
      `${us('2020-01-01T00:00:00Z')},1,1,1,1,1`,
      `${ms('2020-01-01T01:00:00Z')},1,1,1,1,1`, // milliseconds among microseconds
      `${us('2020-01-01T02:00:00Z')},1,1,1,1,1`,
      '8640000000000000000,1,1,1,1,1', // nanoseconds of year 2243: outside the plausible range anyway
    ].join('\n');
    const r = parseBarsCsv(csv, { symbol: 'X', timeframe: '1h' });
    expect(Array.from(r.bars.time)).toEqual([ms('2020-01-01T00:00:00Z'), ms('2020-01-01T02:00:00Z')]);
    expect(r.timestampFormat).toBe('epoch_us');
    expect(r.rejected).toEqual([
      { line: 3, reason: "epoch timestamp in milliseconds where the file's first timestamp is in microseconds" },
      { line: 5, reason: "epoch timestamp in nanoseconds where the file's first timestamp is in microseconds" },
    ]);
    // A file of microseconds alone is read as microseconds: 2020, never year 51969.
    const plain = parseBarsCsv(`timestamp,open,high,low,close\n${us('2020-01-01T00:00:00Z')},1,1,1,1\n`, { symbol: 'X', timeframe: '1h' });
    expect(new Date(plain.bars.time[0]).getUTCFullYear()).toBe(2020);
  });
  it('names the timestamp format it found', () => {
    expect(parseBarsCsv('timestamp,open,high,low,close\n1577836800000000000,1,1,1,1\n', { symbol: 'X', timeframe: '1d' }).timestampFormat).toBe('epoch_ns');
    expect(parseBarsCsv('timestamp,open,high,low,close\n2020-01-01T00:00:00Z,1,1,1,1\n', { symbol: 'X', timeframe: '1d' })).toMatchObject({ timestampFormat: 'iso8601', timestampHasZone: true });
  });
});

describe('inferTimeframe', () => {
  const H = 3_600_000;
  it('takes the median spacing: weekends and nights do not move it', () => {
    const days: number[] = [];
    for (let d = 0; d < 30; d++) if (new Date(d * 24 * H).getUTCDay() % 6 !== 0) days.push(d * 24 * H);
    expect(inferTimeframe(days).timeframe).toBe('1d');
    const hours: number[] = [];
    for (let d = 0; d < 5; d++) for (let h = 14; h < 21; h++) hours.push(d * 24 * H + h * H);
    expect(inferTimeframe(hours)).toMatchObject({ timeframe: '1h', medianMs: H });
  });
  it('says nothing with fewer than three bars', () => {
    expect(inferTimeframe([0, H]).timeframe).toBeNull();
  });
});

describe('parseBarsCsvAsync', () => {
  it('parses exactly like parseBarsCsv while letting timers run between chunks', async () => {
    const lines = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 5000; i++) lines.push(`${new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString()},1,2,0.5,1.5,${i}`);
    lines.push('bad,1,1,1,1,1');
    const text = lines.join('\n');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const a = await parseBarsCsvAsync(text, { symbol: 'X', timeframe: '1m' }, 500);
    clearInterval(timer);
    expect(a).toEqual(parseBarsCsv(text, { symbol: 'X', timeframe: '1m' }));
    expect(a.bars.time.length).toBe(5000);
    expect(ticks).toBeGreaterThan(0);
  });
});
