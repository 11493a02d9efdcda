// Market data throughput: bars loaded per second from the bar store (1,000,000 bars, target
// ≥ 50 M bars/s), a 1-month range query on them, CSV rows imported per second (target ≥ 1 M rows/s)
// and first-start seeding of the bundled samples. Median of 5 runs after a warm-up.
// Run alone: npx tsx bench/data.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barsToCsv, parseBarsCsv } from '../src/core/bars/csv';
import { generateSyntheticBars } from '../src/core/bars/synthetic';
import { BarStore } from '../src/infra/bars/bar-store';
import { importCsvText } from '../src/infra/bars/import';
import { ensureSampleData, findSamplesDir } from '../src/infra/bars/samples';
import { medianMs } from './stats';

const BARS = 1_000_000;
const RUNS = 5;

export async function benchData() {
  const dir = mkdtempSync(join(tmpdir(), 'ktrdr-bench-data-'));
  try {
    // 1,000,000 synthetic 24×7 minute bars (~694 days).
    const start = Date.UTC(2020, 0, 1);
    const bars = generateSyntheticBars({ symbol: 'BTCUSD', timeframe: '1m', start, end: start + BARS * 60_000 });
    const store = new BarStore(join(dir, 'data'));
    const writeMs = medianMs(3, () => store.write(bars, { mode: 'replace', source: 'synthetic' }));

    store.read('BTCUSD', '1m');
    const readMs = medianMs(RUNS, () => {
      if (store.read('BTCUSD', '1m').time.length !== BARS) throw new Error('short read');
    });
    const month = { start: start + 200 * 86_400_000, end: start + 231 * 86_400_000 };
    const rangeMs = medianMs(RUNS, () => store.read('BTCUSD', '1m', month));

    // CSV import: the same 1M bars as KTRDR CSV text.
    const csv = barsToCsv(bars);
    parseBarsCsv(csv, { symbol: 'BTCUSD', timeframe: '1m' });
    const parseMs = medianMs(RUNS, () => parseBarsCsv(csv, { symbol: 'BTCUSD', timeframe: '1m' }));
    const importMs = medianMs(3, () => importCsvText(store, csv, { symbol: 'CSVBENCH', timeframe: '1m', mode: 'replace' }));

    // Seeding the six bundled samples into an empty store (first start).
    const seedMs = medianMs(3, () => {
      const s = new BarStore(join(mkdtempSync(join(dir, 'seed-')), 'data'));
      ensureSampleData(s, findSamplesDir(__dirname));
    });

    const loadRate = BARS / (readMs / 1000);
    const parseRate = BARS / (parseMs / 1000);
    return {
      name: 'market data',
      bars: BARS,
      csv_mb: Math.round(csv.length / 1e5) / 10,
      store_write_ms: Math.round(writeMs),
      store_read_ms: Math.round(readMs * 100) / 100,
      store_bars_per_second: Math.round(loadRate),
      store_range_1_month_ms: Math.round(rangeMs * 100) / 100,
      csv_parse_ms: Math.round(parseMs),
      csv_rows_per_second: Math.round(parseRate),
      csv_import_to_store_rows_per_second: Math.round(BARS / (importMs / 1000)),
      seed_samples_ms: Math.round(seedMs),
      target_store_bars_per_second: 50_000_000,
      target_csv_rows_per_second: 1_000_000,
      pass: loadRate >= 50_000_000 && parseRate >= 1_000_000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchData().then((r) => {
    console.log(JSON.stringify(r, null, 2));
    console.log(
      `store load: ${(r.store_bars_per_second / 1e6).toFixed(0)} M bars/s (target ≥ 50 M); CSV: ${(r.csv_rows_per_second / 1e6).toFixed(2)} M rows/s (target ≥ 1 M) ${r.pass ? 'PASS' : 'FAIL'}`,
    );
  });
}
