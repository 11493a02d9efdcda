import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { ensureSampleData, findPackageRoot, findSamplesDir, sampleSeriesOf } from '../../../src/infra/bars/samples';
import { naiveRows, SAMPLE_FILES, sampleText, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('ktrdr-seed-');
});
afterEach(() => tmp.cleanup());

describe('bundled samples', () => {
  it('the samples folder is found from sources and from the built bundle location', () => {
    const root = findPackageRoot(__dirname)!;
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    const fromSrc = findSamplesDir(join(root, 'src', 'infra', 'bars'));
    const fromOut = findSamplesDir(join(root, 'out', 'main'));
    expect(fromSrc).toBe(join(root, 'data', 'samples'));
    expect(fromOut).toBe(fromSrc);
  });

  it('file names map to series', () => {
    expect(sampleSeriesOf('EURUSD_H1_oanda_bid_2007-2018.csv.gz')).toEqual({ file: 'EURUSD_H1_oanda_bid_2007-2018.csv.gz', symbol: 'EURUSD', timeframe: '1h' });
    expect(sampleSeriesOf('EURUSD_M1_x.csv.gz')?.timeframe).toBe('1m');
    expect(sampleSeriesOf('AAPL_1d.csv')?.timeframe).toBe('1d');
    expect(sampleSeriesOf('README.md')).toBeNull();
  });

  it('seeds the six series into an empty store, exactly, once', () => {
    const store = new BarStore(join(tmp.dir, 'data'));
    const r = ensureSampleData(store, findSamplesDir(__dirname));
    expect(r.skipped).toBe(false);
    expect(r.seeded.map((s) => `${s.symbol} ${s.timeframe}`).sort()).toEqual(['AAPL 1d', 'AAPL 1h', 'EURUSD 1d', 'EURUSD 1h', 'EURUSD 1m', 'SPY 1h']);
    for (const [file, symbol, tf] of SAMPLE_FILES) {
      const rows = naiveRows(sampleText(file));
      const bars = store.read(symbol, tf);
      expect(bars.time.length).toBe(rows.length);
      expect(bars.meta?.source).toBe('sample');
      const last = rows[rows.length - 1];
      const n = bars.time.length - 1;
      expect([bars.time[n], bars.open[n], bars.high[n], bars.low[n], bars.close[n], bars.volume[n]]).toEqual(last);
    }
    expect(ensureSampleData(store, findSamplesDir(__dirname)).skipped).toBe(true);
  });

  it('does not re-seed a store the user emptied (marker), nor one that has data', () => {
    const store = new BarStore(join(tmp.dir, 'data'));
    ensureSampleData(store, findSamplesDir(__dirname));
    for (const s of store.list()) store.remove(s.symbol, s.timeframe);
    expect(ensureSampleData(store, findSamplesDir(__dirname)).skipped).toBe(true);
    expect(store.list()).toEqual([]);
    const other = new BarStore(join(tmp.dir, 'other'));
    mkdirSync(other.dataDir, { recursive: true });
    expect(ensureSampleData(other, null).skipped).toBe(true);
  });
});
