// What strategy validation and the feature builder need from the indicator library. Injected so the
// strategy code is testable with a few hand-written indicators and never reaches into the registry's internals.
import { resolveParams as libraryResolveParams } from '../indicators/params';
import type { IndicatorDefinition, ParamSpec, ParamValue } from '../indicators/types';

export interface ParamResolution {
  params: Record<string, ParamValue>;
  /** Strings or objects with a `message` (and maybe the parameter's name), as the resolver reports them. */
  problems: readonly unknown[];
}

export interface IndicatorCatalog {
  list(): readonly IndicatorDefinition[];
  /** Case-insensitive lookup by type or alias. */
  get(typeOrAlias: string): IndicatorDefinition | undefined;
  /** Fill defaults and check every declared parameter. Only declared parameters are passed in. */
  resolveParams(def: IndicatorDefinition, raw: Record<string, unknown>): ParamResolution;
}

/** One resolver problem as `{param?, message}`, whatever shape the resolver used. */
export function describeProblem(p: unknown): { param?: string; message: string; severity: 'error' | 'warning' } {
  if (typeof p === 'string') {
    const m = /^([A-Za-z_][\w]*)\s*[:=]\s*(.+)$/.exec(p);
    return m ? { param: m[1], message: m[2], severity: 'error' } : { message: p, severity: 'error' };
  }
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    const param = [o.param, o.name, o.field, o.parameter].find((v) => typeof v === 'string') as string | undefined;
    let message = typeof o.message === 'string' ? o.message : JSON.stringify(p);
    // "period must be ≥ 2" is reported at the path …period: drop the repeated name.
    if (param && message.startsWith(`${param} `)) message = message.slice(param.length + 1);
    return { param, message, severity: o.severity === 'warning' ? 'warning' : 'error' };
  }
  return { message: String(p), severity: 'error' };
}

/** Every name a definition answers to, lower-cased. */
export function namesOf(def: IndicatorDefinition): string[] {
  return [def.type, ...(def.aliases ?? [])].map((n) => n.toLowerCase());
}

/** A catalog over a list of definitions; parameters are resolved by the indicator library's resolver by default. */
export function catalogFromDefinitions(
  defs: readonly IndicatorDefinition[],
  resolveParams: IndicatorCatalog['resolveParams'] = libraryResolveParams,
): IndicatorCatalog {
  const byName = new Map<string, IndicatorDefinition>();
  for (const d of defs) for (const n of namesOf(d)) byName.set(n, d);
  return {
    list: () => defs,
    get: (t) => byName.get(t.trim().toLowerCase()),
    resolveParams,
  };
}

function checkParam(spec: ParamSpec, v: unknown): string | null {
  switch (spec.type) {
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return `must be an integer (got ${JSON.stringify(v)})`;
      break;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a number (got ${JSON.stringify(v)})`;
      break;
    case 'bool':
      if (typeof v !== 'boolean') return `must be true or false (got ${JSON.stringify(v)})`;
      return null;
    case 'string':
      if (typeof v !== 'string') return `must be a string (got ${JSON.stringify(v)})`;
      if (spec.choices && !spec.choices.includes(v)) return `must be one of ${spec.choices.join('|')} (got '${v}')`;
      return null;
  }
  const n = v as number;
  if (spec.min !== undefined && n < spec.min) return `must be ≥ ${spec.min} (got ${n})`;
  if (spec.max !== undefined && n > spec.max) return `must be ≤ ${spec.max} (got ${n})`;
  return null;
}

/** A minimal resolver from ParamSpecs (strict types, ranges, choices), for tests with hand-written indicators. */
export function resolveParamsFromSpecs(def: IndicatorDefinition, raw: Record<string, unknown>): ParamResolution {
  const params: Record<string, ParamValue> = {};
  const problems: { param: string; message: string }[] = [];
  for (const spec of def.params) {
    const v = raw[spec.name];
    if (v === undefined || v === null) {
      params[spec.name] = spec.default;
      continue;
    }
    const problem = checkParam(spec, v);
    if (problem) problems.push({ param: spec.name, message: problem });
    else params[spec.name] = v as ParamValue;
  }
  return { params, problems };
}
