// The bundled real sample bars (data/samples/*.csv.gz) seeded into an empty store on first start.
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BarStore } from './bar-store';
import { importCsvText } from './import';

export interface SampleFile {
  file: string;
  symbol: string;
  timeframe: string;
}

/** `EURUSD_H1_oanda_bid_2007-2018.csv.gz` → EURUSD 1h (also `AAPL_1d*.csv.gz`). */
export function sampleSeriesOf(file: string): SampleFile | null {
  const m = /^([A-Z0-9.-]+)_(?:([MHDW])(\d+)|(\d+)([mhdw]))(?:_.*)?\.csv(?:\.gz)?$/.exec(file);
  if (!m) return null;
  const timeframe = m[2] ? `${m[3]}${m[2].toLowerCase()}` : `${m[4]}${m[5]}`;
  return { file, symbol: m[1], timeframe };
}

/** Folder holding package.json, found by walking up from `from` (works from sources and from out/main). */
export function findPackageRoot(from: string = __dirname): string | null {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** data/samples of the installed product (env KTRDR_SAMPLES_DIR overrides). */
export function findSamplesDir(from: string = __dirname): string | null {
  if (process.env.KTRDR_SAMPLES_DIR) return process.env.KTRDR_SAMPLES_DIR;
  const root = findPackageRoot(from);
  const dir = root ? join(root, 'data', 'samples') : null;
  return dir && existsSync(dir) ? dir : null;
}

export interface SeedLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface SeedResult {
  seeded: { symbol: string; timeframe: string; bars: number }[];
  skipped: boolean;
  ms: number;
}

const MARKER = '.samples-seeded';

/**
 * Seeds the bundled samples when the store has no series and was never seeded (a marker file
 * remembers it, so a user who deletes everything is not re-seeded). Source label: `sample`.
 */
export function ensureSampleData(store: BarStore, samplesDir: string | null, log?: SeedLog): SeedResult {
  const t0 = performance.now();
  const marker = join(store.dataDir, MARKER);
  if (!samplesDir || existsSync(marker) || store.list().length > 0) return { seeded: [], skipped: true, ms: performance.now() - t0 };
  const seeded: SeedResult['seeded'] = [];
  for (const file of readdirSync(samplesDir).sort()) {
    const s = sampleSeriesOf(file);
    if (!s) continue;
    try {
      const raw = readFileSync(join(samplesDir, file));
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      const r = importCsvText(store, text, { symbol: s.symbol, timeframe: s.timeframe, mode: 'replace', source: 'sample', keepValidRows: true, checkTimeframe: false });
      seeded.push({ symbol: r.symbol, timeframe: r.timeframe, bars: r.total_bars });
    } catch (err) {
      log?.warn(`Could not seed sample ${file}: ${(err as Error).message}`);
    }
  }
  mkdirSync(store.dataDir, { recursive: true });
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  const ms = performance.now() - t0;
  log?.info(`Seeded ${seeded.length} sample series (${seeded.reduce((a, s) => a + s.bars, 0)} bars) in ${ms.toFixed(0)} ms`);
  return { seeded, skipped: false, ms };
}
