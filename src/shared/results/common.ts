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
export function withNullReasons<K extends string, T>(fields: Record<K, Defined<T>>): Record<K, T | null> & { null_reasons: NullReasons } {
  const out = {} as Record<K, T | null>;
  const reasons: NullReasons = {};
  for (const k of Object.keys(fields) as K[]) {
    const f = fields[k];
    out[k] = f.value;
    if (f.value === null) reasons[k] = f.reason ?? 'not computed';
  }
  return Object.assign(out, { null_reasons: reasons });
}

/** The reason a reader shows next to "—" for a null field (null when the field has a value). */
export function reasonFor(obj: { null_reasons?: NullReasons } | null | undefined, field: string): string | null {
  return obj?.null_reasons?.[field] ?? null;
}
