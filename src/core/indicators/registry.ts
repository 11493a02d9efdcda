// The indicator catalogue: lookup by type or KTRDR alias, parameter resolution and computation.
import type { BarSeries } from '../bars/types';
import { MOMENTUM } from './defs/momentum';
import { MOVING_AVERAGES } from './defs/moving-averages';
import { TREND } from './defs/trend';
import { VOLATILITY } from './defs/volatility';
import { VOLUME } from './defs/volume';
import { resolveParams, type ParamProblem } from './params';
import type { IndicatorDefinition } from './types';

export { resolveParams } from './params';
export type { ParamProblem, ResolvedParams } from './params';

export const INDICATORS: IndicatorDefinition[] = [...MOVING_AVERAGES, ...MOMENTUM, ...VOLATILITY, ...TREND, ...VOLUME];

/** Lower-case, alphanumerics only: "Bollinger_Bands" and "bollingerbands" are the same key. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_NAME = new Map<string, IndicatorDefinition>();
for (const def of INDICATORS) {
  for (const key of [def.type, ...(def.aliases ?? [])]) {
    const k = normalise(key);
    const other = BY_NAME.get(k);
    if (other && other !== def) throw new Error(`indicator name '${key}' is claimed by ${other.type} and ${def.type}`);
    BY_NAME.set(k, def);
  }
}

/**
 * Finds a definition by type or alias, case-insensitively. KTRDR class names work too: a trailing
 * "Indicator" is dropped ("RSIIndicator" → rsi, "BollingerBandsIndicator" → bbands).
 */
export function getIndicator(typeOrAlias: string): IndicatorDefinition | undefined {
  const key = normalise(typeOrAlias);
  return BY_NAME.get(key) ?? (key.endsWith('indicator') ? BY_NAME.get(key.slice(0, -'indicator'.length)) : undefined);
}

export class IndicatorError extends Error {
  constructor(
    message: string,
    readonly problems: ParamProblem[] = [],
  ) {
    super(message);
    this.name = 'IndicatorError';
  }
}

/**
 * Resolves `params` (defaults, checks) and computes. Throws IndicatorError for an unknown type or any
 * parameter error (warnings such as unknown keys do not stop it).
 */
export function computeIndicator(
  type: string,
  bars: BarSeries,
  params: Record<string, unknown> = {},
): Record<string, Float64Array> {
  const def = getIndicator(type);
  if (!def)
    throw new IndicatorError(`Unknown indicator type '${type}'. Available: ${INDICATORS.map((d) => d.type).join(', ')}`);
  const { params: resolved, problems } = resolveParams(def, params);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new IndicatorError(`${def.type}: ${errors.map((p) => p.message).join('; ')}`, errors);
  return def.compute(bars, resolved);
}

/** Leading-NaN count of each output for these (resolved) params. */
export function outputWarmups(def: IndicatorDefinition, params: Record<string, unknown>): Record<string, number> {
  const resolved = resolveParams(def, params).params;
  if (def.outputWarmups) return def.outputWarmups(resolved);
  const w = def.warmup(resolved);
  return Object.fromEntries(def.outputs.map((o) => [o, w]));
}
