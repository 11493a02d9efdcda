// Scaling of raw indicator columns, as each nn_input declares. Statistics come from the training rows
// only and are plain JSON: they are stored with the model and applied unchanged in backtests.
import type { StrategyConfig, Normalization } from '../strategy/types';
import { resolveFeatures } from './resolver';
import type { FeatureMatrix } from './types';

export interface NormalizationSpec {
  feature: string;
  method: Normalization;
}

export type ColumnStats =
  | { feature: string; method: 'zscore'; mean: number; std: number }
  | { feature: string; method: 'minmax'; min: number; max: number }
  | { feature: string; method: 'none' };

export interface NormalizationStats {
  version: 1;
  /** Rows [start, end) of the matrix the statistics were taken from. */
  fitted_rows: { start: number; end: number };
  columns: ColumnStats[];
}

/** One spec per raw feature column (fuzzy memberships are already in [0, 1]). */
export function normalizationSpecs(s: StrategyConfig): NormalizationSpec[] {
  const byFeature = new Map<string, Normalization>();
  for (const inp of s.nn_inputs)
    if (inp.kind === 'raw_indicator') for (const tf of inp.timeframes) byFeature.set(`${tf}_${inp.raw_indicator}_raw`, inp.normalization);
  return resolveFeatures(s)
    .filter((f) => f.kind === 'raw')
    .map((f) => ({ feature: f.feature_id, method: byFeature.get(f.feature_id) ?? 'none' }));
}

export function fitNormalization(m: FeatureMatrix, rowStart: number, rowEnd: number, specs: readonly NormalizationSpec[]): NormalizationStats {
  const start = Math.max(0, rowStart);
  const end = Math.min(m.rows, rowEnd);
  const columns = specs.map((spec): ColumnStats => {
    const c = m.names.indexOf(spec.feature);
    if (c < 0) throw new Error(`normalisation: no column '${spec.feature}' in the feature matrix`);
    if (spec.method === 'none') return { feature: spec.feature, method: 'none' };
    let count = 0;
    let mean = 0;
    let m2 = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end; i++) {
      const v = m.values[i * m.cols + c];
      if (!Number.isFinite(v)) continue;
      count++;
      const d = v - mean; // Welford: stable for long series
      mean += d / count;
      m2 += d * (v - mean);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (spec.method === 'minmax') return count ? { feature: spec.feature, method: 'minmax', min, max } : { feature: spec.feature, method: 'minmax', min: 0, max: 0 };
    const std = count > 1 ? Math.sqrt(m2 / (count - 1)) : 0; // sample std (pandas ddof=1), as KTRDR specifies
    return { feature: spec.feature, method: 'zscore', mean: count ? mean : 0, std };
  });
  return { version: 1, fitted_rows: { start, end }, columns };
}

/** A new matrix with the declared columns scaled (a constant column becomes 0). NaN stays NaN. */
export function applyNormalization(m: FeatureMatrix, stats: NormalizationStats): FeatureMatrix {
  const values = Float32Array.from(m.values);
  for (const col of stats.columns) {
    if (col.method === 'none') continue;
    const c = m.names.indexOf(col.feature);
    if (c < 0) throw new Error(`normalisation: no column '${col.feature}' in the feature matrix`);
    let scale: number;
    let shift: number;
    if (col.method === 'zscore') {
      shift = col.mean;
      scale = col.std > 0 ? 1 / col.std : 0;
    } else {
      shift = col.min;
      scale = col.max > col.min ? 1 / (col.max - col.min) : 0;
    }
    for (let i = 0, k = c; i < m.rows; i++, k += m.cols) {
      const v = values[k];
      if (v === v) values[k] = (v - shift) * scale;
    }
  }
  return { ...m, values };
}
