// A sweep's search space and how a point of it becomes a strategy: each key is a dotted path into
// the strategy YAML, each value a distribution. Pure (the YAML library is pure JS).
//
// Path semantics: segments are separated by '.'. On a mapping a segment is a key. On a sequence a
// segment is an index ("nn_inputs.0.timeframes") or the `id` (else `name`) of one of its mapping
// items, so `indicators.rsi_14.period` works both for `indicators: {rsi_14: {...}}` and for
// `indicators: [{id: rsi_14, ...}]`. Every segment but the last must exist; the last may be a new key
// of an existing mapping (e.g. `training.early_stopping.patience`). Comments and the rest of the file
// are kept as written.
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';

export type ParamValue = string | number | boolean | null | ParamValue[] | { [k: string]: ParamValue };

export type ParamSpec =
  | { kind: 'categorical'; values: ParamValue[] }
  | { kind: 'float'; low: number; high: number; log: boolean; step: number | null }
  | { kind: 'int'; low: number; high: number; log: boolean; step: number };

export type SearchSpace = Record<string, ParamSpec>;

export interface SpaceProblem {
  field: string;
  message: string;
}

/** The request's `space` → validated specs; problems name the field (space.<path>.<key>). */
export function parseSpace(raw: unknown): { space: SearchSpace; problems: SpaceProblem[] } {
  const problems: SpaceProblem[] = [];
  const space: SearchSpace = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { space, problems: [{ field: 'space', message: 'must map strategy paths to {values} or {min, max}' }] };
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) problems.push({ field: 'space', message: 'must name at least one parameter' });
  for (const [path, spec] of entries) {
    const field = `space.${path}`;
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path)) {
      problems.push({ field, message: 'must be a dotted path of keys, ids or indices (e.g. indicators.rsi_14.period)' });
      continue;
    }
    const s = spec as Record<string, unknown>;
    if (!s || typeof s !== 'object' || Array.isArray(s)) {
      problems.push({ field, message: 'must be {values: [...]} or {min, max, step?, log?, int?}' });
      continue;
    }
    if ('values' in s) {
      if (!Array.isArray(s.values) || s.values.length === 0) problems.push({ field: `${field}.values`, message: 'must be a non-empty list' });
      else space[path] = { kind: 'categorical', values: s.values as ParamValue[] };
      continue;
    }
    const { min, max } = s;
    if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) {
      problems.push({ field, message: 'needs numeric min and max (or values)' });
      continue;
    }
    if (!(max > min)) {
      problems.push({ field: `${field}.max`, message: `must be greater than min (${min})` });
      continue;
    }
    const log = s.log === true;
    if (log && min <= 0) {
      problems.push({ field: `${field}.min`, message: 'must be > 0 for a log scale' });
      continue;
    }
    const step = s.step === undefined || s.step === null ? null : Number(s.step);
    if (step !== null && !(step > 0)) {
      problems.push({ field: `${field}.step`, message: 'must be > 0' });
      continue;
    }
    if (step !== null && log) {
      problems.push({ field: `${field}.step`, message: 'cannot be combined with log' });
      continue;
    }
    const isInt = s.int === true || (step !== null && Number.isInteger(step) && Number.isInteger(min) && Number.isInteger(max) && s.int !== false);
    if (isInt) {
      if (!Number.isInteger(min) || !Number.isInteger(max)) {
        problems.push({ field, message: 'int parameters need integer min and max' });
        continue;
      }
      space[path] = { kind: 'int', low: min, high: max, log, step: step ?? 1 };
    } else space[path] = { kind: 'float', low: min, high: max, log, step };
  }
  return { space, problems };
}

type Segment = string | number;

/** Resolves a dotted path to concrete YAML keys/indices; a string message when it does not exist. */
export function resolvePath(doc: Document, path: string): Segment[] | string {
  const parts = path.split('.');
  const out: Segment[] = [];
  let node: unknown = doc.contents;
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i];
    const last = i === parts.length - 1;
    const where = out.length ? out.join('.') : 'the top level';
    if (isMap(node)) {
      const has = node.has(seg);
      if (!has && !last) return `'${seg}' not found under ${where}`;
      out.push(seg);
      node = has ? node.get(seg, true) : undefined;
    } else if (isSeq(node)) {
      let idx = /^\d+$/.test(seg) ? Number(seg) : -1;
      if (idx < 0) {
        idx = node.items.findIndex((it) => isMap(it) && (String(it.get('id')) === seg || (it.get('id') === undefined && String(it.get('name')) === seg)));
      }
      if (idx < 0 || idx >= node.items.length) return `no item '${seg}' (index, id or name) in the list at ${where}`;
      out.push(idx);
      node = node.items[idx];
    } else {
      return `${where} is a value, not a mapping or list: cannot go into '${seg}'`;
    }
  }
  return out;
}

/** Problems with paths that do not exist in the strategy (checked before the sweep starts). */
export function checkPaths(yamlText: string, space: SearchSpace): SpaceProblem[] {
  const doc = parseDocument(yamlText);
  const problems: SpaceProblem[] = [];
  for (const path of Object.keys(space)) {
    const r = resolvePath(doc, path);
    if (typeof r === 'string') problems.push({ field: `space.${path}`, message: `not in the strategy: ${r}` });
  }
  return problems;
}

/** The strategy text with each path set to its value (comments and layout elsewhere kept). */
export function applyParams(yamlText: string, params: Record<string, ParamValue>): string {
  const doc = parseDocument(yamlText);
  for (const [path, value] of Object.entries(params)) {
    const concrete = resolvePath(doc, path);
    if (typeof concrete === 'string') throw new Error(`space.${path}: ${concrete}`);
    const existing = doc.getIn(concrete, true);
    // A scalar replaced by a scalar keeps its node, so its comment and style stay.
    if (isScalar(existing) && (value === null || typeof value !== 'object')) existing.value = value;
    else doc.setIn(concrete, doc.createNode(value));
  }
  return doc.toString();
}
