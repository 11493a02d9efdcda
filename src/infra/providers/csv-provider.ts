import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_IMPORT_LIMIT, ImportFileError, importRoots, readImportFile, resolveImportPath } from '../import-files';
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
  /** Folders paths may point into (default: KTRDR_HOME/imports and KTRDR_IMPORT_DIRS). */
  roots?: string[];
  /** Largest file, on disk or inflated (default KTRDR_IMPORT_LIMIT or 64 MiB). */
  limit?: number;
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

  private readonly roots: string[];
  private readonly limit: number;

  constructor(private readonly opts: CsvProviderOptions) {
    this.roots = opts.roots ?? importRoots(process.env.KTRDR_HOME ?? '.', process.env.KTRDR_IMPORT_DIRS);
    this.limit = opts.limit ?? (Number(process.env.KTRDR_IMPORT_LIMIT) || DEFAULT_IMPORT_LIMIT);
  }

  private allowed(p: string, directory: boolean): string {
    try {
      return resolveImportPath(p, this.roots, { directory });
    } catch (err) {
      if (err instanceof ImportFileError) throw new ProviderError(this.id, err.message);
      throw err;
    }
  }

  segmentMs(): number {
    return 1000 * 366 * DAY;
  }

  /** The file for a series, or null. */
  resolveFile(symbol: string, timeframe: string): string | null {
    if (this.opts.path) return this.allowed(this.opts.path, false);
    if (!this.opts.dir) return null;
    const dir = this.allowed(this.opts.dir, true);
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
    let parsed;
    try {
      const text = readImportFile(file, this.limit);
      parsed = parseBarsCsv(text, { symbol: req.symbol, timeframe: req.timeframe, timezone: this.opts.timezone, echoContent: false });
    } catch (err) {
      throw new ProviderError(this.id, `${basename(file)}: ${(err as Error).message}`);
    }
    const inRange = barsInRange(parsed.bars, { start: req.start, end: req.end - 1 });
    return { ...inRange, meta: { source: this.id, synthetic: false } };
  }
}
