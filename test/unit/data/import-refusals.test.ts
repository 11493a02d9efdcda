// An import that would be refused for two reasons says both at once, and the fix of one does not undo
// the other (issue 27); repeated timestamps are reported, not dropped silently.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText, ImportRefusedError } from '../../../src/infra/bars/import';

const hourly = (n: number) => ['timestamp,open,high,low,close,volume', ...Array.from({ length: n }, (_, i) => `${new Date(Date.UTC(2024, 0, 2, i)).toISOString()},1,2,0.5,1.5,1`)];

function refusal(fn: () => unknown): ImportRefusedError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ImportRefusedError) return e;
    throw e;
  }
  throw new Error('the import was not refused');
}

describe('import refusals', () => {
  it('bad rows and a wrong timeframe are refused together, each in words, the API hint naming both fixes', () => {
    const store = new BarStore(mkdtempSync(join(tmpdir(), 'ktrdr-import-')));
    const csv = [...hourly(30), 'bad,1,1,1,1,1'].join('\n');
    const err = refusal(() => importCsvText(store, csv, { symbol: 'X', timeframe: '1d', mode: 'merge' }));
    expect((err.extra.problems as { kind: string }[]).map((p) => p.kind)).toEqual(['rejected_rows', 'timeframe']);
    expect(err.extra).toMatchObject({ inferred_timeframe: '1h', valid_count: 30, skipped: 1 });
    expect(err.message).toMatch(/^1 of 31 rows were rejected \(line 32: .*\); and The timestamps are 1h bars, not 1d/);
    expect(err.message).toMatch(/import again with keep_valid_rows to store the 30 valid rows and timeframe 1h\.$/);
    // The problems the UI shows name no request field.
    for (const p of err.extra.problems as { message: string }[]) expect(p.message).not.toMatch(/keep_valid_rows|timeframe \w+\b=|_/);
    // Keeping the valid rows alone still leaves the timeframe problem (and only it).
    const again = refusal(() => importCsvText(store, csv, { symbol: 'X', timeframe: '1d', mode: 'merge', keepValidRows: true }));
    expect((again.extra.problems as { kind: string }[]).map((p) => p.kind)).toEqual(['timeframe']);
    expect(store.list()).toEqual([]);
    // Both fixes: stored.
    expect(importCsvText(store, csv, { symbol: 'X', timeframe: '1h', mode: 'merge', keepValidRows: true }).imported).toBe(30);
  });

  it('a repeated timestamp is reported with the time, the later row kept', () => {
    const store = new BarStore(mkdtempSync(join(tmpdir(), 'ktrdr-import-')));
    const rows = hourly(10);
    rows.splice(5, 0, `${new Date(Date.UTC(2024, 0, 2, 3)).toISOString()},1,3,0.5,2.5,9`);
    const s = importCsvText(store, rows.join('\n'), { symbol: 'X', timeframe: '1h', mode: 'merge' });
    expect(s).toMatchObject({ rows: 11, imported: 10, duplicates: 1, duplicate_timestamps: ['2024-01-02T03:00:00Z'] });
    expect(s.duplicates_note).toBe('1 row repeated a timestamp of another row (2024-01-02T03:00:00Z): the later row of each was kept');
    const stored = store.load('X', '1h').bars;
    expect(stored.close[3]).toBe(2.5); // the later of the two rows in the file (the inserted one)
    const none = importCsvText(store, hourly(10).join('\n'), { symbol: 'Y', timeframe: '1h', mode: 'merge' });
    expect(none.duplicates_note).toBeNull();
  });
});
