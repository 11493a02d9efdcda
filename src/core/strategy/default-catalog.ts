// The indicator library as the strategy code sees it.
import { getIndicator, INDICATORS, resolveParams } from '../indicators/registry';
import type { IndicatorCatalog } from './catalog';

export const DEFAULT_CATALOG: IndicatorCatalog = {
  list: () => INDICATORS,
  get: (typeOrAlias) => getIndicator(typeOrAlias),
  resolveParams: (def, raw) => resolveParams(def, raw),
};
