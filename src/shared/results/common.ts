// Conventions every result schema follows (DESIGN.md §8, issues 22/23). Pure: zod only.
//
// - A value that cannot be computed is `null`, never 0, NaN or a sentinel (999999). The object
//   that holds it carries `null_reasons: { <field>: "<why, in a quant's words>" }`, e.g.
//   metrics.profit_factor = null with metrics.null_reasons.profit_factor = "no losing trades".
// - Every result carries `schema_version` (RESULT_SCHEMA_VERSION of its kind); a reader refuses a
//   version it does not know instead of guessing.
// - KTRDR's own conventions (0 for an undefined ratio, 999999 for an unbounded profit factor) are
//   applied in one adapter on the KTRDR-compatible routes only, never stored.
import { z } from 'zod';

/** Why fields of the enclosing object are null, keyed by field name. */
export const nullReasons = z.record(z.string(), z.string().min(1));
export type NullReasons = z.infer<typeof nullReasons>;

/** A finite number or null (JSON cannot carry NaN/Infinity; they must never reach a result). */
export const maybeNumber = z.number().finite().nullable();

/** A value and, when it is null, why. For callers building results field by field. */
export type Defined<T> = { value: T; reason?: undefined } | { value: null; reason: string };

export const defined = <T>(value: T): Defined<T> => ({ value });
export const undefinedBecause = (reason: string): Defined<never> => ({ value: null, reason });

/**
 * Splits `{field: Defined}` into the plain object (`field: value | null`) and its `null_reasons`,
 * so a producer states the reason at the place it finds the value undefined.
 */
export function withNullReasons<F extends Record<string, Defined<unknown>>>(fields: F): { [K in keyof F]: F[K]['value'] } & { null_reasons: NullReasons } {
  const out: Record<string, unknown> = {};
  const reasons: NullReasons = {};
  for (const k of Object.keys(fields)) {
    const f = fields[k];
    out[k] = f.value;
    if (f.value === null) reasons[k] = f.reason ?? 'not computed';
  }
  return Object.assign(out, { null_reasons: reasons }) as { [K in keyof F]: F[K]['value'] } & { null_reasons: NullReasons };
}

/**
 * Refinement for a result object with `null_reasons`: every field that is null has its reason, so a
 * producer cannot write a bare null (nor a reader meet one).
 */
export function everyNullExplained(o: Record<string, unknown> & { null_reasons?: NullReasons }, ctx: z.core.$RefinementCtx): void {
  for (const [k, v] of Object.entries(o)) {
    if (v === null && !o.null_reasons?.[k]) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is null without a reason in null_reasons` });
  }
}

/**
 * Files a scale-out worker sent back with a result, verified and stored by the server
 * (src/main/scaleout/artefacts.ts): added to the result on import, absent in embedded mode.
 */
export const storedArtefacts = z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number().int().min(0) })).optional();

/** "not recorded by the version that ran this": the reason for a field an older result lacks. */
export const NOT_RECORDED = 'not recorded by the version that made this result';

/** The paths of `input` that `parsed` dropped (keys no schema declares): a producer must not write them. */
export function undeclaredPaths(input: unknown, parsed: unknown, path = ''): string[] {
  if (!input || typeof input !== 'object' || !parsed || typeof parsed !== 'object') return [];
  if (Array.isArray(input)) {
    if (!Array.isArray(parsed)) return [];
    // Only objects can hold undeclared keys: long arrays of numbers (equity curves) are passed over.
    const out: string[] = [];
    for (let i = 0; i < input.length; i++) {
      const v: unknown = input[i];
      if (v && typeof v === 'object') out.push(...undeclaredPaths(v, parsed[i], `${path}[${i}]`));
    }
    return out;
  }
  const out: string[] = [];
  const p = parsed as Record<string, unknown>;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    const here = path ? `${path}.${k}` : k;
    if (v === undefined) continue;
    if (!(k in p)) out.push(here);
    else out.push(...undeclaredPaths(v, p[k], here));
  }
  return out;
}

/** The reason a reader shows next to "—" for a null field (null when the field has a value). */
export function reasonFor(obj: { null_reasons?: NullReasons } | null | undefined, field: string): string | null {
  return obj?.null_reasons?.[field] ?? null;
}

/**
 * Refinement for an object where only the listed fields need a reason when null (its other nulls
 * mean "none", e.g. `error: null`): a fold's `oos_metrics: null` says why in `null_reasons`.
 */
export function nullsExplained(fields: readonly string[]) {
  return (o: Record<string, unknown> & { null_reasons?: NullReasons }, ctx: z.core.$RefinementCtx): void => {
    for (const k of fields) if (o[k] === null && !o.null_reasons?.[k]) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is null without a reason in null_reasons` });
  };
}

/** A result that does not match its schema: names every field that is wrong. */
export class ResultContractError extends Error {
  constructor(
    readonly kind: string,
    readonly problems: string[],
  ) {
    super(`The ${kind} result does not match its schema (src/shared/results): ${problems.slice(0, 12).join('; ')}${problems.length > 12 ? `; … ${problems.length - 12} more` : ''}`);
    this.name = 'ResultContractError';
  }
}

/**
 * A stored result of a version this reader does not read: an older one that cannot be upgraded, or
 * a newer one. Its message says so in a user's words (never a list of missing fields alone).
 */
export class ResultVersionError extends ResultContractError {
  constructor(kind: string, readonly version: unknown, current: number, problems: string[] = []) {
    super(kind, problems);
    this.name = 'ResultVersionError';
    const detail = problems.length ? ` (${problems.slice(0, 3).join('; ')})` : '';
    this.message =
      typeof version === 'number' && version > current
        ? `These ${kind} results were written by a newer version (schema_version ${version}; this one reads ${current}): update the workstation to see them`
        : `These ${kind} results were written by an older version (${version === undefined ? 'no schema_version' : `schema_version ${String(version)}`}) and cannot be read by this one${detail}: rerun it to see them here`;
  }
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

/**
 * What a producer (the worker) calls before it writes a result: the value must parse, and must hold
 * no field the schema does not declare (a renamed or new field fails here, not in a reader).
 * Returns the parsed value, which is what gets written.
 */
export function validateProduced<S extends z.ZodType>(kind: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ResultContractError(kind, issuesOf(r.error));
  const extra = undeclaredPaths(value, r.data);
  if (extra.length) throw new ResultContractError(kind, extra.map((p) => `${p}: not declared in the schema`));
  return r.data;
}

/** What a reader calls: the parsed value, or an error naming what is wrong (never a silent blank). */
export function parseWith<S extends z.ZodType>(kind: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ResultContractError(kind, issuesOf(r.error));
  return r.data;
}

type Obj = Record<string, unknown>;

/**
 * Reader side of a versioned result: the current version is parsed; an older one is upgraded by
 * `upgrades[version]` and parsed (a ResultVersionError when the upgrade cannot make it valid); a
 * version without an upgrade, or a newer one, is a ResultVersionError.
 */
export function parseVersioned<S extends z.ZodType>(kind: string, schema: S, current: number, raw: unknown, upgrades: Partial<Record<number, (old: Obj) => Obj>> = {}): z.output<S> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ResultContractError(kind, ['(root): expected a result object']);
  const version = (raw as Obj).schema_version;
  if (version === current) return parseWith(kind, schema, raw);
  const upgrade = typeof version === 'number' ? upgrades[version] : undefined;
  if (!upgrade) throw new ResultVersionError(kind, version, current);
  try {
    return parseWith(kind, schema, upgrade(raw as Obj));
  } catch (err) {
    if (err instanceof ResultContractError) throw new ResultVersionError(kind, version, current, err.problems);
    throw err;
  }
}
