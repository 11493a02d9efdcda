import { join } from 'node:path';
import { BarStore } from './bar-store';

export { BarStore, CorruptSeriesError, InvalidSeriesNameError, SeriesNotFoundError, type LoadResult, type MergeSummary, type SeriesInfo, type WriteOptions } from './bar-store';
export { importCsvText, importCsvTextAsync, ImportRefusedError, prepareImport, prepareImportAsync, type ImportOptions, type ImportPreparer, type ImportSummary, type PreparedImport } from './import';
export { ensureSampleData, findSamplesDir, type SeedResult } from './samples';

/** Bars live in <KTRDR_HOME>/data: the one place main and workers agree on. */
export function barDataDir(home: string): string {
  return join(home, 'data');
}

export function barStoreForHome(home: string): BarStore {
  return new BarStore(barDataDir(home));
}
