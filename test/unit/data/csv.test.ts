import { describe, expect, it } from 'vitest';
import { barsToCsv, CsvFormatError, parseBarsCsv } from '../../../src/core/bars/csv';
import { parseNumber, parseTimestamp } from '../../../src/core/bars/parse-fields';
import { naiveRows, SAMPLE_FILES, sampleText } from './helpers';

const opts = { symbol: 'TEST', timeframe: '1h' };
const ts = (s: string) => parseTimestamp(s, 0, s.length);

describe('parseBarsCsv on the real sample files', () => {
  it.each(SAMPLE_FILES)('%s parses every row exactly (values and timestamps)', (file, symbol, timeframe) => {
    const text = sampleText(file);
    const r = parseBarsCsv(text, { symbol, timeframe });
    const rows = naiveRows(text);
    expect(r.rejectedCount).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.bars.time.length).toBe(rows.length);
    const cols = [r.bars.time, r.bars.open, r.bars.high, r.bars.low, r.bars.close, r.bars.volume];
    for (let i = 0; i < rows.length; i++) for (let c = 0; c < 6; c++) if (cols[c][i] !== rows[i][c]) throw new Error(`${file} row ${i + 2} col ${c}: ${cols[c][i]} != ${rows[i][c]}`);
  });
});

describe('header detection and column mapping', () => {
  it('reads KTRDR, Yahoo-style, pandas and header-less files alike', () => {
    const variants = [
      'timestamp,open,high,low,close,volume\n2024-01-02T00:00:00Z,1,2,0.5,1.5,10\n',
      'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,0.5,1.5,1.4,10\n',
      ',open,high,low,close,volume\n2024-01-02T00:00:00Z,1.0,2.0,0.5,1.5,10.0\n',
      '2024-01-02T00:00:00Z,1,2,0.5,1.5,10\n',
      'Date;Open;High;Low;Close;Volume\n2024-01-02 00:00:00;1;2;0.5;1.5;10\n',
      'Date,Time,Open,High,Low,Close,Volume\n2024.01.02,00:00,1,2,0.5,1.5,10\n',
      'time,close,open,low,high,vol\n1704153600,1.5,1,0.5,2,10\n',
    ];
    for (const v of variants) {
      const r = parseBarsCsv(v, opts);
      expect(r.rejected, v).toEqual([]);
      expect(Array.from(r.bars.time), v).toEqual([Date.UTC(2024, 0, 2)]);
      expect([r.bars.open[0], r.bars.high[0], r.bars.low[0], r.bars.close[0], r.bars.volume[0]], v).toEqual([1, 2, 0.5, 1.5, 10]);
    }
  });

  it('a file without a volume column stores volume 0', () => {
    const r = parseBarsCsv('timestamp,open,high,low,close\n2024-01-02T00:00:00Z,1,2,0.5,1.5\n', opts);
    expect(r.bars.volume[0]).toBe(0);
  });

  it('refuses a header without price columns, naming what is missing', () => {
    expect(() => parseBarsCsv('when,price\n2024-01-02,1\n', opts)).toThrow(CsvFormatError);
    expect(() => parseBarsCsv('when,price\n2024-01-02,1\n', opts)).toThrow(/timestamp, open, high, low, close/);
  });
});

describe('timestamps', () => {
  it('understands ISO with and without Z, offsets, date-only, epoch seconds and ms', () => {
    const t = Date.UTC(2024, 2, 10, 14, 30, 0);
    expect(ts('2024-03-10T14:30:00Z')).toBe(t);
    expect(ts('2024-03-10T14:30:00')).toBe(t);
    expect(ts('2024-03-10 14:30')).toBe(t);
    expect(ts('2024-03-10T16:30:00+02:00')).toBe(t);
    expect(ts('2024-03-10T09:30:00-0500')).toBe(t);
    expect(ts('2024-03-10T14:30:00.000Z')).toBe(t);
    expect(ts('2024-03-10')).toBe(Date.UTC(2024, 2, 10));
    expect(ts('20240310')).toBe(Date.UTC(2024, 2, 10));
    expect(ts(String(t / 1000))).toBe(t);
    expect(ts(String(t))).toBe(t);
    expect(ts('10.03.2024 14:30:00.000 GMT+0000')).toBe(t);
    expect(ts('03/10/2024 14:30')).toBe(t);
    expect(ts('not a date')).toBeNaN();
    expect(ts('2024-13-01')).toBeNaN();
  });

  it('applies an explicit time zone to naive timestamps only, across daylight saving', () => {
    const csv = 'Date,Open,High,Low,Close,Volume\n2024-01-02 09:30,1,1,1,1,1\n2024-07-02 09:30,1,1,1,1,1\n2024-07-03T09:30:00Z,1,1,1,1,1\n';
    const r = parseBarsCsv(csv, { ...opts, timezone: 'America/New_York' });
    expect(Array.from(r.bars.time)).toEqual([Date.UTC(2024, 0, 2, 14, 30), Date.UTC(2024, 6, 2, 13, 30), Date.UTC(2024, 6, 3, 9, 30)]);
  });

  it('parses numbers exactly like Number()', () => {
    for (const s of ['1.10345', '0.121696', '123.1146', '707280113', '-2.5', '1e-3', '00012.50', '.5', '3.']) {
      expect(parseNumber(s, 0, s.length), s).toBe(Number(s));
    }
    expect(parseNumber('', 0, 0)).toBeNaN();
    expect(parseNumber('abc', 0, 3)).toBeNaN();
    expect(parseNumber('1.2.3', 0, 5)).toBeNaN();
  });
});

describe('row validation', () => {
  const bad = [
    'timestamp,open,high,low,close,volume', // line 1
    '2024-01-01T00:00:00Z,1,2,0.5,1.5,10', // 2 ok
    '2024-01-01T01:00:00Z,1,0.9,0.5,0.8,10', // 3 high below open
    '2024-01-01T02:00:00Z,1,2,1.2,1.5,10', // 4 low above open
    '2024-01-01T03:00:00Z,,2,0.5,1.5,10', // 5 empty
    '2024-01-01T04:00:00Z,1,2,0.5,abc,10', // 6 NaN
    'yesterday,1,2,0.5,1.5,10', // 7 bad timestamp
    '2024-01-01T05:00:00Z,-1,2,-2,1.5,10', // 8 negative
    '2024-01-01T06:00:00Z,1,2,0.5,1.5,-3', // 9 negative volume
    '2024-01-01T07:00:00Z,1,2', // 10 short row
    '', // 11 blank: ignored
    '2024-01-01T08:00:00Z,1,2,0.5,1.5,10', // 12 ok
  ].join('\n');

  it('reports every bad row with its line number and reason, and keeps none of them', () => {
    const r = parseBarsCsv(bad, opts);
    expect(r.rejected.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.rejected[0].reason).toMatch(/high/);
    expect(r.rejected[1].reason).toMatch(/low/);
    expect(r.rejected[4].reason).toMatch(/timestamp/);
    expect(r.rejected[5].reason).toMatch(/negative/);
    expect(r.rejected[7].reason).toMatch(/columns/);
    expect(r.rejectedCount).toBe(8);
    expect(r.rows).toBe(10);
    expect(Array.from(r.bars.time)).toEqual([Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 8)]);
  });

  it('sorts rows and keeps the last of duplicated timestamps', () => {
    const csv = 'timestamp,open,high,low,close,volume\n2024-01-01T02:00:00Z,3,3,3,3,0\n2024-01-01T00:00:00Z,1,1,1,1,0\n2024-01-01T02:00:00Z,4,4,4,4,0\n\r\n';
    const r = parseBarsCsv(csv, opts);
    expect(r.duplicates).toBe(1);
    expect(r.resorted).toBe(true);
    expect(Array.from(r.bars.time)).toEqual([Date.UTC(2024, 0, 1, 0), Date.UTC(2024, 0, 1, 2)]);
    expect(r.bars.close[1]).toBe(4);
  });

  it('barsToCsv writes what parseBarsCsv reads back unchanged', () => {
    const r = parseBarsCsv(sampleText('AAPL_D1_splitadj_1998-2021.csv'), opts);
    const again = parseBarsCsv(barsToCsv(r.bars), opts);
    expect(Array.from(again.bars.close)).toEqual(Array.from(r.bars.close));
    expect(Array.from(again.bars.time)).toEqual(Array.from(r.bars.time));
  });
});
