// A strategy's fuzzy set over bars: the indicator it reads, computed on those bars (or a bar column
// given instead, KTRDR's `source_column`), then one membership series per membership function. The
// same computation the feature matrix makes for a fuzzy input (features/matrix.ts), for one set.
import type { BarSeries } from '../bars/types';
import type { IndicatorCatalog } from '../strategy/catalog';
import { DEFAULT_CATALOG } from '../strategy/default-catalog';
import type { StrategyConfig } from '../strategy/types';
import { fuzzify } from './fuzzify';

export const BAR_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type BarColumn = (typeof BAR_COLUMNS)[number];

/**
 * The fuzzy sets a request names, best match first: by id, by the indicator id it reads, or by that
 * indicator's type (`rsi` finds the sets on `rsi_14` and `rsi_7`).
 */
export function matchingFuzzySets(s: StrategyConfig, key: string): string[] {
  const k = key.toLowerCase();
  const sets = Object.values(s.fuzzy_sets);
  const byId = sets.filter((f) => f.id.toLowerCase() === k);
  const byIndicator = sets.filter((f) => f.indicator_id.toLowerCase() === k || f.indicator.toLowerCase() === k);
  const byType = sets.filter((f) => s.indicators[f.indicator_id]?.type.toLowerCase() === k);
  return [...new Set([...byId, ...byIndicator, ...byType].map((f) => f.id))];
}

/** The best-matching fuzzy set for a key (matchingFuzzySets), or null. */
export function findFuzzySet(s: StrategyConfig, key: string): string | null {
  return matchingFuzzySets(s, key)[0] ?? null;
}

/** Membership series of set `setId` over `bars` (NaN where the indicator is still warming up). */
export function fuzzySetSeries(s: StrategyConfig, setId: string, bars: BarSeries, opts: { source?: BarColumn; catalog?: IndicatorCatalog } = {}): { name: string; values: Float64Array }[] {
  const set = s.fuzzy_sets[setId];
  if (!set) throw new Error(`no fuzzy set '${setId}'`);
  let input: Float64Array;
  if (opts.source) input = bars[opts.source];
  else {
    const cfg = s.indicators[set.indicator_id];
    const def = cfg && (opts.catalog ?? DEFAULT_CATALOG).get(cfg.type);
    if (!def) throw new Error(`indicator '${set.indicator_id}' of fuzzy set '${setId}' is not available`);
    const out = def.compute(bars, cfg.params)[set.output];
    if (!out) throw new Error(`indicator '${set.indicator_id}' has no output '${set.output}'`);
    input = out;
  }
  return fuzzify(set, input);
}
