// Strategy files: parse + validate (every problem with line:column), defaults, migration of old formats.
import type { IndicatorCatalog } from './catalog';
import { DEFAULT_CATALOG } from './default-catalog';
import { parseStrategyWith } from './parse';
import type { ParseResult } from './types';

export * from './types';
export { formatIssue } from './format';
export { retargetStrategy, type RetargetResult } from './retarget';
export { catalogFromDefinitions, type IndicatorCatalog } from './catalog';
export { DEFAULT_CATALOG } from './default-catalog';

/** Parses and validates a strategy YAML text. `sourceName` is only used in messages. */
export function parseStrategy(yamlText: string, opts: { sourceName?: string; catalog?: IndicatorCatalog } = {}): ParseResult {
  return parseStrategyWith(yamlText, { sourceName: opts.sourceName, catalog: opts.catalog ?? DEFAULT_CATALOG });
}
