import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHARED_DATA = '/work/shared/data';

/** The real sample files: [file, symbol, timeframe]. */
export const SAMPLE_FILES: [string, string, string][] = [
  ['EURUSD_H1_oanda_bid_2007-2018.csv', 'EURUSD', '1h'],
  ['EURUSD_M1_oanda_bid_2014-05.csv', 'EURUSD', '1m'],
  ['EURUSD_D1_dukascopy_2007-2023.csv', 'EURUSD', '1d'],
  ['AAPL_D1_splitadj_1998-2021.csv', 'AAPL', '1d'],
  ['AAPL_H1_splitadj_1998-2021.csv', 'AAPL', '1h'],
  ['SPY_H1_1998-2021.csv', 'SPY', '1h'],
];

/** Reads a sample: the repo copy (gzip) is the same bytes as the shared file. */
export function sampleText(file: string): string {
  try {
    return readFileSync(join(SHARED_DATA, file), 'utf8');
  } catch {
    const { gunzipSync } = require('node:zlib') as typeof import('node:zlib');
    return gunzipSync(readFileSync(join(__dirname, '..', '..', '..', 'data', 'samples', `${file}.gz`))).toString('utf8');
  }
}

/** Rows of a KTRDR CSV, parsed the slow obvious way (Date.parse, Number) for comparisons. */
export function naiveRows(text: string): number[][] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const p = l.split(',');
      return [Date.parse(p[0]), ...p.slice(1).map(Number)];
    });
}

export function tempDir(prefix = 'ktrdr-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
