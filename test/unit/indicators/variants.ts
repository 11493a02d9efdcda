// Parameter sets each indicator is exercised with in the generic tests: the defaults and a "short" variant.
import type { IndicatorDefinition } from '../../../src/core/indicators/types';

export function paramVariants(def: IndicatorDefinition): Record<string, unknown>[] {
  const short: Record<string, unknown> = {};
  for (const p of def.params) {
    if (p.type === 'int' && typeof p.default === 'number' && p.default > 1) {
      const v = Math.max(p.min ?? 1, Math.round(p.default / 2));
      short[p.name] = Math.min(v, p.max ?? v);
    } else if (p.type === 'string' && p.choices && p.choices.length > 1) {
      short[p.name] = p.choices[p.choices.length - 1];
    } else if (p.type === 'bool') {
      short[p.name] = !p.default;
    }
  }
  return Object.keys(short).length ? [{}, short] : [{}];
}
