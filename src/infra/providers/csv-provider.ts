import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseBarsCsv } from '../../core/bars/csv';
import { barsInRange } from '../../core/bars/series';
import type { BarSeries } from '../../core/bars/types';
import { DAY, ProviderError, type BarProvider, type CancelSignal, type FetchProgress, type FetchRequest } from './types';

export interface CsvProviderOptions {
  /** A folder of files named like `EURUSD_1h*.csv`, `EURUSD_H1*.csv` (optionally .gz). */
  dir?: string;
  /** One file, used whatever its name. */
  path?: string;
  timezone?: string;
}

const TF_ALIASES = (tf: string): string[] => {
  const m = /^(\d+)([mhdw])$/.exec(tf);
  if (!m) return [tf];
  return [tf, `${m[2].toUpperCase()}${m[1]}`];
};

/** Bars from CSV files on this machine. The whole range is one segment: the file is read once. */
export class CsvProvider implements BarProvider {
  readonly id = 'csv';
  readonly synthetic = false;

  constructor(private readonly opts: CsvProviderOptions) {}

  segmentMs(): number {
    return 1000 * 366 * DAY;
  }

  /** The file for a series, or null. */
  resolveFile(symbol: string, timeframe: string): string | null {
    if (this.opts.path) return existsSync(this.opts.path) ? this.opts.path : null;
    const dir = this.opts.dir;
    if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) return null;
    const prefixes = TF_ALIASES(timeframe).map((tf) => `${symbol.toUpperCase()}_${tf}`);
    const files = readdirSync(dir).filter((f) => /\.csv(\.gz)?$/i.test(f));
    const hit = files.find((f) => prefixes.some((p) => f === `${p}.csv` || f === `${p}.csv.gz` || f.startsWith(`${p}_`) || f.startsWith(`${p}.`)));
    return hit ? join(dir, hit) : null;
  }

  async fetch(req: FetchRequest, _onProgress?: FetchProgress, _signal?: CancelSignal): Promise<BarSeries> {
    const file = this.resolveFile(req.symbol, req.timeframe);
    if (!file) {
      const where = this.opts.path ?? this.opts.dir ?? '(no folder given)';
      throw new ProviderError(this.id, `No CSV file for ${req.symbol} ${req.timeframe} in ${where} (expected a name like ${req.symbol}_${req.timeframe}.csv)`);
    }
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    let parsed;
    try {
      parsed = parseBarsCsv(text, { symbol: req.symbol, timeframe: req.timeframe, timezone: this.opts.timezone });
    } catch (err) {
      throw new ProviderError(this.id, `${basename(file)}: ${(err as Error).message}`);
    }
    const inRange = barsInRange(parsed.bars, { start: req.start, end: req.end - 1 });
    return { ...inRange, meta: { source: this.id, synthetic: false } };
  }
}
