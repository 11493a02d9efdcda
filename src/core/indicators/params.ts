// Parameter specs, their validation (resolveParams) and typed accessors used by the definitions.
import type { BarSeries } from '../bars/types';
import type { IndicatorDefinition, ParamSpec, ParamValue } from './types';

export type Params = Record<string, ParamValue>;

export interface ParamProblem {
  /** The parameter the problem is about (as given by the caller). */
  param: string;
  message: string;
  /** 'error' makes computeIndicator refuse; 'warning' (an unknown key, ignored) does not. */
  severity: 'error' | 'warning';
}

export interface ResolvedParams {
  params: Params;
  problems: ParamProblem[];
}

export const SOURCES = ['close', 'open', 'high', 'low', 'hl2', 'hlc3', 'ohlc4'] as const;

export function intParam(name: string, def: number, min: number, max: number, description: string): ParamSpec {
  return { name, type: 'int', default: def, min, max, description };
}

export function floatParam(name: string, def: number, min: number, max: number, description: string): ParamSpec {
  return { name, type: 'float', default: def, min, max, description };
}

export function boolParam(name: string, def: boolean, description: string): ParamSpec {
  return { name, type: 'bool', default: def, description };
}

export function choiceParam(name: string, def: string, choices: string[], description: string): ParamSpec {
  return { name, type: 'string', default: def, choices, description };
}

export function sourceParam(def = 'close'): ParamSpec {
  return choiceParam('source', def, [...SOURCES], 'Price series the indicator reads');
}

function checkRange(spec: ParamSpec, v: number, problems: ParamProblem[]): void {
  if (spec.min !== undefined && v < spec.min)
    problems.push({ param: spec.name, message: `${spec.name} must be ≥ ${spec.min} (got ${v})`, severity: 'error' });
  if (spec.max !== undefined && v > spec.max)
    problems.push({ param: spec.name, message: `${spec.name} must be ≤ ${spec.max} (got ${v})`, severity: 'error' });
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return undefined;
}

/** Validates one raw value against its spec; returns the normalised value or undefined after a problem. */
function resolveOne(spec: ParamSpec, raw: unknown, problems: ParamProblem[]): ParamValue | undefined {
  const bad = (expected: string) => {
    problems.push({ param: spec.name, message: `${spec.name} must be ${expected} (got ${JSON.stringify(raw)})`, severity: 'error' });
    return undefined;
  };
  switch (spec.type) {
    case 'int': {
      const v = toNumber(raw);
      if (v === undefined || !Number.isFinite(v)) return bad('an integer');
      if (!Number.isInteger(v)) return bad('an integer');
      const before = problems.length;
      checkRange(spec, v, problems);
      return problems.length === before ? v : undefined;
    }
    case 'float': {
      const v = toNumber(raw);
      if (v === undefined || !Number.isFinite(v)) return bad('a number');
      const before = problems.length;
      checkRange(spec, v, problems);
      return problems.length === before ? v : undefined;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return bad('true or false');
    }
    case 'string': {
      if (typeof raw !== 'string') return bad('a string');
      if (!spec.choices) return raw;
      const hit = spec.choices.find((c) => c.toLowerCase() === raw.toLowerCase());
      if (hit === undefined) return bad(`one of ${spec.choices.join(', ')}`);
      return hit;
    }
  }
}

/**
 * Fills defaults and checks every given value (type, range, choices). Keys the definition does not know
 * are reported as warnings (ignored), so KTRDR YAML with legacy keys still runs but says so.
 * A failed value falls back to its default in `params`, so callers may still inspect a usable set.
 */
export function resolveParams(def: IndicatorDefinition, raw: Record<string, unknown> | undefined | null): ResolvedParams {
  const problems: ParamProblem[] = [];
  const params: Params = {};
  const given = raw ?? {};
  for (const spec of def.params) {
    const v = given[spec.name];
    if (v === undefined || v === null) {
      params[spec.name] = spec.default;
      continue;
    }
    const resolved = resolveOne(spec, v, problems);
    params[spec.name] = resolved === undefined ? spec.default : resolved;
  }
  for (const key of Object.keys(given)) {
    if (!def.params.some((s) => s.name === key))
      problems.push({
        param: key,
        message: `${def.type} has no parameter '${key}' (ignored); known: ${def.params.map((s) => s.name).join(', ') || 'none'}`,
        severity: 'warning',
      });
  }
  if (def.checkParams && !problems.some((p) => p.severity === 'error')) problems.push(...def.checkParams(params));
  return { params, problems };
}

export function num(params: Params, name: string): number {
  const v = params[name];
  if (typeof v !== 'number') throw new Error(`parameter ${name} is not a number`);
  return v;
}

export function str(params: Params, name: string): string {
  const v = params[name];
  if (typeof v !== 'string') throw new Error(`parameter ${name} is not a string`);
  return v;
}

export function bool(params: Params, name: string): boolean {
  const v = params[name];
  if (typeof v !== 'boolean') throw new Error(`parameter ${name} is not a boolean`);
  return v;
}

/** The price column a `source` names; derived prices (hl2, hlc3, ohlc4) are computed once per call. */
export function selectSource(bars: BarSeries, source: string): Float64Array {
  switch (source) {
    case 'close':
      return bars.close;
    case 'open':
      return bars.open;
    case 'high':
      return bars.high;
    case 'low':
      return bars.low;
    case 'hl2':
    case 'hlc3':
    case 'ohlc4': {
      const { open: o, high: h, low: l, close: c } = bars;
      const n = c.length;
      const out = new Float64Array(n);
      if (source === 'hl2') for (let i = 0; i < n; i++) out[i] = (h[i] + l[i]) / 2;
      else if (source === 'hlc3') for (let i = 0; i < n; i++) out[i] = (h[i] + l[i] + c[i]) / 3;
      else for (let i = 0; i < n; i++) out[i] = (o[i] + h[i] + l[i] + c[i]) / 4;
      return out;
    }
    default:
      throw new Error(`unknown source '${source}'`);
  }
}
