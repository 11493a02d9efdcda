// Feature names and order, exactly as KTRDR's FeatureResolver: nn_inputs in YAML order, then each
// input's timeframes in the order written, then (fuzzy sets) memberships in YAML order.
import type { StrategyConfig } from '../strategy/types';
import type { ResolvedFeature } from './types';

export function resolveFeatures(s: StrategyConfig): ResolvedFeature[] {
  const out: ResolvedFeature[] = [];
  for (const inp of s.nn_inputs) {
    if (inp.kind === 'fuzzy_set') {
      const set = s.fuzzy_sets[inp.fuzzy_set];
      for (const tf of inp.timeframes)
        for (const m of set.memberships)
          out.push({
            feature_id: `${tf}_${set.id}_${m.name}`,
            timeframe: tf,
            fuzzy_set_id: set.id,
            membership_name: m.name,
            indicator_id: set.indicator_id,
            indicator_output: set.output,
            kind: 'fuzzy',
          });
    } else {
      for (const tf of inp.timeframes)
        out.push({
          feature_id: `${tf}_${inp.raw_indicator}_raw`,
          timeframe: tf,
          fuzzy_set_id: '__raw__',
          membership_name: 'raw',
          indicator_id: inp.indicator_id,
          indicator_output: inp.output,
          kind: 'raw',
        });
    }
  }
  return out;
}

export function featureNames(s: StrategyConfig): string[] {
  return resolveFeatures(s).map((f) => f.feature_id);
}
