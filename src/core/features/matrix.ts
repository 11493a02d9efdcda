// Strategy + bars per timeframe → feature matrix on the base timeframe's clock. Indicators and fuzzy
// memberships are computed on each timeframe's own bars, then aligned (align.ts) onto the base rows.
import type { BarSeries } from '../bars/types';
import { fuzzify } from '../fuzzy/fuzzify';
import type { IndicatorCatalog } from '../strategy/catalog';
import { DEFAULT_CATALOG } from '../strategy/default-catalog';
import type { StrategyConfig } from '../strategy/types';
import { timeframeMs } from '../timeframes';
import { alignToBase } from './align';
import { resolveFeatures } from './resolver';
import type { FeatureMatrix } from './types';

export interface BuildFeatureOptions {
  /** Defaults to the indicator library's registry. */
  catalog?: IndicatorCatalog;
}

export class FeatureBuildError extends Error {}

/** Per-timeframe lazy cache: each indicator and fuzzy set is computed once however many columns read it. */
class TimeframeColumns {
  private readonly indicators = new Map<string, Record<string, Float64Array>>();
  private readonly memberships = new Map<string, Map<string, Float64Array>>();

  constructor(
    private readonly s: StrategyConfig,
    private readonly bars: BarSeries,
    private readonly catalog: IndicatorCatalog,
  ) {}

  indicator(id: string, output: string): Float64Array {
    let outs = this.indicators.get(id);
    if (!outs) {
      const cfg = this.s.indicators[id];
      const def = cfg && this.catalog.get(cfg.type);
      if (!def) throw new FeatureBuildError(`indicator '${id}' (${cfg?.type ?? '?'}) is not available`);
      outs = def.compute(this.bars, cfg.params);
      this.indicators.set(id, outs);
    }
    const series = outs[output];
    if (!series) throw new FeatureBuildError(`indicator '${id}' has no output '${output}'`);
    return series;
  }

  membership(setId: string, name: string): Float64Array {
    let sets = this.memberships.get(setId);
    if (!sets) {
      const set = this.s.fuzzy_sets[setId];
      sets = new Map(fuzzify(set, this.indicator(set.indicator_id, set.output)).map((m) => [m.name, m.values]));
      this.memberships.set(setId, sets);
    }
    return sets.get(name)!;
  }
}

export function buildFeatureMatrix(s: StrategyConfig, barsByTimeframe: Record<string, BarSeries>, opts: BuildFeatureOptions = {}): FeatureMatrix {
  const catalog = opts.catalog ?? DEFAULT_CATALOG;
  const features = resolveFeatures(s);
  const baseTf = s.training_data.timeframes.base_timeframe;
  const base = barsByTimeframe[baseTf];
  if (!base) throw new FeatureBuildError(`no bars for the base timeframe '${baseTf}'`);
  const baseMs = timeframeMs(baseTf)!;
  const rows = base.time.length;
  const cols = features.length;

  const columns = new Map<string, TimeframeColumns>();
  const aligned = new Map<string, Int32Array | null>();
  for (const tf of new Set(features.map((f) => f.timeframe))) {
    const bars = barsByTimeframe[tf];
    if (!bars) throw new FeatureBuildError(`no bars for timeframe '${tf}'`);
    columns.set(tf, new TimeframeColumns(s, bars, catalog));
    aligned.set(tf, tf === baseTf ? null : alignToBase(base.time, baseMs, bars.time, timeframeMs(tf)!));
  }

  const values = new Float32Array(rows * cols);
  features.forEach((f, c) => {
    const tfCols = columns.get(f.timeframe)!;
    const src = f.kind === 'fuzzy' ? tfCols.membership(f.fuzzy_set_id, f.membership_name) : tfCols.indicator(f.indicator_id, f.indicator_output);
    const idx = aligned.get(f.timeframe);
    if (!idx) for (let i = 0, k = c; i < rows; i++, k += cols) values[k] = src[i];
    else
      for (let i = 0, k = c; i < rows; i++, k += cols) {
        const j = idx[i];
        values[k] = j < 0 ? NaN : src[j];
      }
  });

  const valid = new Uint8Array(rows);
  let warmupRows = -1;
  for (let i = 0, k = 0; i < rows; i++) {
    let ok = 1;
    for (let c = 0; c < cols; c++, k++) if (!Number.isFinite(values[k])) ok = 0;
    valid[i] = ok;
    if (ok && warmupRows < 0) warmupRows = i;
  }
  return { names: features.map((f) => f.feature_id), rows, cols, values, time: Float64Array.from(base.time), valid, warmupRows: warmupRows < 0 ? rows : warmupRows };
}
