// Cross-reference and meaning checks on the (migrated) strategy object, run even when the structural
// schema failed, so one validation run reports every problem. Builds the resolved parts as it goes.
import type { IndicatorDefinition } from '../indicators/types';
import { MEMBERSHIPS, membershipType } from '../fuzzy/membership';
import { isTimeframe, KNOWN_TIMEFRAMES, timeframeMs } from '../timeframes';
import { describeProblem, type IndicatorCatalog } from './catalog';
import type { IssueCollector } from './issues';
import { STRATEGY_KEYS, type KeySpec } from './keys';
import { LABEL_KEYS, LABEL_SOURCES } from './schema';
import { closestMatches, didYouMean } from './suggest';
import type { FuzzySetConfig, IndicatorConfig, MembershipSpec, NNInputConfig, Normalization } from './types';
import type { PathSegment } from './yaml-source';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
const ID_RE = /^[A-Za-z0-9_-]+$/;

export interface Resolved {
  timeframes: string[];
  baseTimeframe: string | null;
  indicators: Record<string, IndicatorConfig>;
  fuzzySets: Record<string, FuzzySetConfig>;
  nnInputs: NNInputConfig[];
}

export interface SemanticOptions {
  catalog: IndicatorCatalog;
  symbolsOptional: boolean;
}

/** Warns about every key that is unknown (with a spelling suggestion) or known but unused. */
export function checkKeys(value: unknown, spec: KeySpec, path: PathSegment[], out: IssueCollector): void {
  if (Array.isArray(value)) {
    if (spec.items) value.forEach((item, i) => checkKeys(item, spec.items!, [...path, i], out));
    return;
  }
  if (!isObj(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const p = [...path, key];
    if (key in spec.keys) {
      const sub = spec.keys[key];
      if (sub) checkKeys(child, sub, p, out);
      continue;
    }
    const reason = spec.ignored?.[key];
    if (reason) {
      out.warn(p, `'${key}' is ignored: ${reason}`, { category: 'ignored', atKey: true });
      continue;
    }
    if (spec.each) {
      checkKeys(child, spec.each, p, out);
      continue;
    }
    const where = path.length ? ` in ${path.join('.')}` : '';
    out.warn(p, `unknown key '${key}'${where} is ignored`, {
      category: 'ignored',
      atKey: true,
      suggestion: didYouMean(key, [...Object.keys(spec.keys), ...Object.keys(spec.ignored ?? {})]),
    });
  }
}

function readTimeframes(td: unknown, out: IssueCollector): { list: string[]; base: string | null } {
  if (!isObj(td) || !isObj(td.timeframes)) return { list: [], base: null };
  const tf = td.timeframes;
  const p: PathSegment[] = ['training_data', 'timeframes'];
  let list: string[] = [];
  if (Array.isArray(tf.list)) list = tf.list.filter(isStr);
  else if (isStr(tf.timeframe)) list = [tf.timeframe];
  else if (tf.list === undefined && tf.timeframe === undefined) out.error(p, "needs 'timeframe' (single) or 'list' (multi_timeframe)");
  if (Array.isArray(tf.list) && isStr(tf.timeframe) && !tf.list.includes(tf.timeframe))
    out.warn([...p, 'timeframe'], `is ignored: 'list' (${tf.list.join(', ')}) is used`);
  const good: string[] = [];
  list.forEach((t, i) => {
    const at = Array.isArray(tf.list) ? [...p, 'list', i] : [...p, 'timeframe'];
    if (!isTimeframe(t)) out.error(at, `invalid timeframe ${show(t)}`, { suggestion: `use one of ${KNOWN_TIMEFRAMES.join(', ')}` });
    else if (good.includes(t)) out.warn(at, `timeframe '${t}' is listed twice`);
    else good.push(t);
  });
  if (tf.mode === 'multi_timeframe' && list.length < 2) out.error([...p, 'list'], 'multi_timeframe needs a list of at least 2 timeframes');
  if (tf.mode === 'single' && good.length > 1) out.warn([...p, 'mode'], `is 'single' but ${good.length} timeframes are listed; all of them are used`, { suggestion: "write mode: multi_timeframe" });
  let base: string | null = null;
  if (tf.base_timeframe !== undefined) {
    if (isStr(tf.base_timeframe) && good.includes(tf.base_timeframe)) base = tf.base_timeframe;
    else out.error([...p, 'base_timeframe'], `${show(tf.base_timeframe)} is not one of the listed timeframes (${good.join(', ') || 'none'})`);
  } else if (good.length) {
    base = [...good].sort((a, b) => timeframeMs(a)! - timeframeMs(b)!)[0];
  }
  if (base && good.length > 1) {
    const finer = good.filter((t) => timeframeMs(t)! < timeframeMs(base!)!);
    if (finer.length) out.error([...p, 'base_timeframe'], `must be the shortest timeframe; ${finer.join(', ')} is shorter than '${base}'`);
  }
  return { list: good, base };
}

function checkSymbols(td: unknown, out: IssueCollector, optional: boolean): void {
  if (!isObj(td) || !isObj(td.symbols)) return;
  const s = td.symbols;
  const p: PathSegment[] = ['training_data', 'symbols'];
  const list = Array.isArray(s.list) ? s.list : isStr(s.symbol) ? [s.symbol] : [];
  if (!list.length && !optional) out.error(p, "needs 'symbol' (single) or 'list' (multi_symbol)");
  if (s.mode === 'multi_symbol' && Array.isArray(s.list) && s.list.length < 2) out.warn([...p, 'list'], 'multi_symbol with fewer than 2 symbols');
  for (const key of ['start_date', 'end_date'] as const) {
    const d = td[key];
    if (d !== undefined && d !== null && (typeof d !== 'string' || Number.isNaN(Date.parse(d))))
      out.error(['training_data', key], `must be a date like "2020-01-01" (got ${show(d)})`);
  }
}

function checkIndicators(v: Obj, opts: SemanticOptions, out: IssueCollector): Record<string, IndicatorConfig> {
  const resolved: Record<string, IndicatorConfig> = {};
  if (!isObj(v.indicators)) return resolved;
  const allNames = opts.catalog.list().flatMap((d) => [d.type, ...(d.aliases ?? [])]);
  for (const [id, entry] of Object.entries(v.indicators)) {
    const p: PathSegment[] = ['indicators', id];
    if (!ID_RE.test(id)) out.error(p, `indicator id '${id}' may contain only letters, digits, '_' and '-' (it becomes part of feature names)`, { atKey: true });
    if (!isObj(entry) || !isStr(entry.type)) continue; // reported by the schema
    const def = opts.catalog.get(entry.type);
    if (!def) {
      const close = closestMatches(entry.type, allNames, 5);
      out.error([...p, 'type'], `unknown indicator type '${entry.type}'`, {
        suggestion: close.length ? `did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : `available: ${opts.catalog.list().map((d) => d.type).join(', ')}`,
      });
      continue;
    }
    const declared = new Set(def.params.map((s) => s.name));
    const raw: Obj = {};
    for (const [k, val] of Object.entries(entry)) {
      if (k === 'type') continue;
      if (k === 'data_source') {
        out.warn([...p, k], "'data_source' is ignored: external context series are not supported", { category: 'ignored', atKey: true });
        continue;
      }
      if (declared.has(k)) raw[k] = val;
      else
        out.warn([...p, k], `'${k}' is not a parameter of ${def.type} and is ignored`, {
          category: 'ignored',
          atKey: true,
          suggestion: didYouMean(k, declared) ?? (declared.size ? `parameters: ${[...declared].join(', ')}` : `${def.type} takes no parameters`),
        });
    }
    const { params, problems } = opts.catalog.resolveParams(def, raw);
    let ok = true;
    for (const prob of problems) {
      const { param, message, severity } = describeProblem(prob);
      if (severity === 'error') ok = false;
      out.add(severity, param ? [...p, param] : p, message);
    }
    if (ok) resolved[id] = { id, type: def.type, params, outputs: [...def.outputs] };
  }
  return resolved;
}

/** `id` or `id.output` → the indicator and output it names, or an error. */
function resolveRef(
  ref: string,
  at: PathSegment[],
  v: Obj,
  catalog: IndicatorCatalog,
  out: IssueCollector,
): { id: string; output: string; def?: IndicatorDefinition } | null {
  const dot = ref.indexOf('.');
  const id = dot < 0 ? ref : ref.slice(0, dot);
  const output = dot < 0 ? null : ref.slice(dot + 1);
  const ids = isObj(v.indicators) ? Object.keys(v.indicators) : [];
  if (!ids.includes(id)) {
    out.error(at, `'${id}' not found in indicators. Available indicators: ${ids.join(', ') || 'none'}`, { suggestion: didYouMean(id, ids) });
    return null;
  }
  const entry = (v.indicators as Obj)[id];
  const def = isObj(entry) && isStr(entry.type) ? catalog.get(entry.type) : undefined;
  if (!def) return null; // the indicator itself is reported
  if (output === null) return { id, output: def.outputs[0], def };
  if (def.outputs.length < 2) {
    out.error(at, `${def.type} has a single output; write '${id}' without '.${output}'`);
    return null;
  }
  const match = def.outputs.find((o) => o.toLowerCase() === output.toLowerCase());
  if (!match) {
    out.error(at, `Invalid output '${output}' for ${def.type} indicator '${id}'. Valid outputs: ${def.outputs.join(', ')}`, { suggestion: didYouMean(output, def.outputs) });
    return null;
  }
  return { id, output: match, def };
}

function parseMembership(name: string, raw: unknown, at: PathSegment[], out: IssueCollector): MembershipSpec | null {
  let type: MembershipSpec['type'] | undefined = 'triangular';
  let params: unknown = raw;
  let paramsAt = at;
  if (isObj(raw)) {
    for (const k of Object.keys(raw)) if (k !== 'type' && k !== 'parameters') out.warn([...at, k], `unknown key '${k}' in a membership function is ignored`, { category: 'ignored', atKey: true, suggestion: didYouMean(k, ['type', 'parameters']) });
    if (!isStr(raw.type)) {
      out.error([...at, 'type'], `needs a type: ${Object.keys(MEMBERSHIPS).join(', ')}`);
      return null;
    }
    type = membershipType(raw.type);
    if (!type) {
      out.error([...at, 'type'], `unknown membership function type '${raw.type}'`, {
        suggestion: didYouMean(raw.type, Object.keys(MEMBERSHIPS)) ?? `use one of ${Object.keys(MEMBERSHIPS).join(', ')}`,
      });
      return null;
    }
    params = raw.parameters;
    paramsAt = [...at, 'parameters'];
  } else if (!Array.isArray(raw)) {
    out.error(at, `membership '${name}' must be [a, b, c] or {type, parameters} (got ${show(raw)})`);
    return null;
  }
  if (!Array.isArray(params) || !params.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    out.error(paramsAt, `parameters must be a list of numbers (got ${show(params)})`);
    return null;
  }
  const info = MEMBERSHIPS[type];
  if (params.length !== info.count) {
    const hint =
      !isObj(raw) && params.length === 4
        ? "a bare list is a triangle [a, b, c]; write {type: trapezoidal, parameters: [a, b, c, d]} for a trapezoid"
        : `${type} takes ${info.params}`;
    out.error(paramsAt, `${type} needs exactly ${info.count} parameters (got ${params.length})`, { suggestion: hint });
    return null;
  }
  const problem = info.check(params);
  if (problem) {
    out.error(paramsAt, `${type} ${JSON.stringify(params)}: ${problem}`);
    return null;
  }
  return { name, type, parameters: [...params] };
}

function checkFuzzySets(v: Obj, opts: SemanticOptions, out: IssueCollector): Record<string, FuzzySetConfig> {
  const resolved: Record<string, FuzzySetConfig> = {};
  if (!isObj(v.fuzzy_sets)) return resolved;
  for (const [id, entry] of Object.entries(v.fuzzy_sets)) {
    const p: PathSegment[] = ['fuzzy_sets', id];
    if (!ID_RE.test(id)) out.error(p, `fuzzy set id '${id}' may contain only letters, digits, '_' and '-'`, { atKey: true });
    if (!isObj(entry)) continue; // reported by the schema
    const ref = isStr(entry.indicator) ? resolveRef(entry.indicator, [...p, 'indicator'], v, opts.catalog, out) : null;
    const memberships: MembershipSpec[] = [];
    let ok = ref !== null;
    const names = Object.keys(entry).filter((k) => k !== 'indicator');
    if (!names.length)
      out.error(p, 'Fuzzy set has no membership functions defined. At least one membership function is required (e.g., oversold, overbought).');
    for (const name of names) {
      const m = parseMembership(name, entry[name], [...p, name], out);
      if (m) memberships.push(m);
      else ok = false;
    }
    if (ok && ref && memberships.length) resolved[id] = { id, indicator: entry.indicator as string, indicator_id: ref.id, output: ref.output, memberships };
  }
  return resolved;
}

function checkNNInputs(v: Obj, timeframes: string[], opts: SemanticOptions, out: IssueCollector): NNInputConfig[] {
  const resolved: NNInputConfig[] = [];
  if (!Array.isArray(v.nn_inputs)) return resolved;
  const setIds = isObj(v.fuzzy_sets) ? Object.keys(v.fuzzy_sets) : [];
  v.nn_inputs.forEach((item, i) => {
    const p: PathSegment[] = ['nn_inputs', i];
    if (!isObj(item)) return; // reported by the schema
    const hasFs = item.fuzzy_set !== undefined;
    const hasRaw = item.raw_indicator !== undefined;
    if (hasFs && hasRaw) return out.error(p, 'Specify either fuzzy_set or raw_indicator, not both');
    if (!hasFs && !hasRaw) return out.error(p, 'Must specify either fuzzy_set or raw_indicator', { suggestion: setIds.length ? `e.g. fuzzy_set: ${setIds[0]}` : undefined });
    let tfs: string[] = timeframes;
    let ok = true;
    if (Array.isArray(item.timeframes)) {
      tfs = [];
      item.timeframes.forEach((t, j) => {
        if (isStr(t) && timeframes.includes(t)) tfs.push(t);
        else {
          ok = false;
          out.error([...p, 'timeframes', j], `Invalid timeframe ${show(t)}. Available timeframes: ${timeframes.join(', ') || 'none'}`);
        }
      });
    }
    if (hasFs) {
      if (item.normalization !== undefined && item.normalization !== null)
        out.error([...p, 'normalization'], 'normalization is only valid with raw_indicator, not fuzzy_set');
      if (!isStr(item.fuzzy_set)) return;
      if (!setIds.includes(item.fuzzy_set))
        return out.error([...p, 'fuzzy_set'], `'${item.fuzzy_set}' not found in fuzzy_sets. Available fuzzy_sets: ${[...setIds].sort().join(', ') || 'none'}`, {
          suggestion: didYouMean(item.fuzzy_set, setIds),
        });
      if (ok) resolved.push({ kind: 'fuzzy_set', fuzzy_set: item.fuzzy_set, timeframes: tfs, all_timeframes: !Array.isArray(item.timeframes) });
      return;
    }
    if (!isStr(item.raw_indicator)) return;
    const ref = resolveRef(item.raw_indicator, [...p, 'raw_indicator'], v, opts.catalog, out);
    const norm = (item.normalization ?? 'none') as Normalization;
    if (item.normalization === undefined || item.normalization === null)
      out.info([...p, 'raw_indicator'], `raw input '${item.raw_indicator}' is fed unscaled`, { suggestion: 'add normalization: zscore (statistics come from the training split)' });
    if (ref && ok)
      resolved.push({ kind: 'raw_indicator', all_timeframes: !Array.isArray(item.timeframes), raw_indicator: item.raw_indicator, indicator_id: ref.id, output: ref.output, timeframes: tfs, normalization: norm });
  });
  return resolved;
}

function checkUnused(v: Obj, out: IssueCollector): void {
  const used = new Set<string>();
  const usedSets = new Set<string>();
  if (isObj(v.fuzzy_sets)) for (const e of Object.values(v.fuzzy_sets)) if (isObj(e) && isStr(e.indicator)) used.add(e.indicator.split('.')[0]);
  if (Array.isArray(v.nn_inputs))
    for (const e of v.nn_inputs) {
      if (!isObj(e)) continue;
      if (isStr(e.raw_indicator)) used.add(e.raw_indicator.split('.')[0]);
      if (isStr(e.fuzzy_set)) usedSets.add(e.fuzzy_set);
    }
  if (isObj(v.indicators))
    for (const id of Object.keys(v.indicators))
      if (!used.has(id)) out.warn(['indicators', id], `indicator '${id}' is not used by any fuzzy set or raw input; it is not computed`, { atKey: true });
  if (isObj(v.fuzzy_sets))
    for (const id of Object.keys(v.fuzzy_sets))
      if (!usedSets.has(id)) out.warn(['fuzzy_sets', id], `fuzzy set '${id}' is not used by any nn_input`, { atKey: true, suggestion: `add {fuzzy_set: ${id}, timeframes: all} to nn_inputs` });
}

function checkModelTraining(v: Obj, out: IssueCollector): void {
  const model = isObj(v.model) ? v.model : {};
  const training = isObj(v.training) ? v.training : {};
  if (isObj(model.training)) {
    for (const [k, val] of Object.entries(model.training)) {
      if (!['epochs', 'batch_size', 'learning_rate', 'optimizer'].includes(k)) continue;
      const p = ['model', 'training', k];
      if (training[k] === undefined) out.warn(p, `model.training.${k} is used as training.${k} (KTRDR ignores it)`, { suggestion: `move it to training.${k}` });
      else if (training[k] !== val) out.warn(p, `model.training.${k} (${show(val)}) is ignored: training.${k} (${show(training[k])}) wins`);
    }
  }
  const arch = isObj(model.architecture) ? model.architecture : {};
  const type = model.type ?? 'mlp';
  if (type === 'mlp' && arch.hidden_layers === undefined) out.info(['model', 'architecture'], 'no hidden_layers given: [64, 32] is used');
  if ((type === 'lstm' || type === 'gru') && arch.sequence_length === undefined) out.info(['model', 'architecture'], `${String(type)} without sequence_length: 20 bars are used`);
  if (type === 'mlp') for (const k of ['sequence_length', 'hidden_size', 'num_layers']) if (arch[k] !== undefined) out.warn(['model', 'architecture', k], `is ignored by an mlp model`, { category: 'ignored', atKey: true });
  if ((type === 'lstm' || type === 'gru') && arch.hidden_layers !== undefined) out.warn(['model', 'architecture', 'hidden_layers'], `is ignored by an ${String(type)} model (use hidden_size and num_layers)`, { category: 'ignored', atKey: true });
}

function checkTraining(v: Obj, out: IssueCollector): void {
  const training = isObj(v.training) ? v.training : {};
  const decisions = isObj(v.decisions) ? v.decisions : {};
  if (decisions.output_format === 'regression')
    out.error(['decisions', 'output_format'], 'regression models are not supported yet', { suggestion: 'use output_format: classification' });
  if (training.loss === 'huber' || training.loss === 'mse')
    if (decisions.output_format !== 'regression') out.error(['training', 'loss'], `'${training.loss}' is a regression loss; classification uses cross_entropy or focal`);
  const split = training.data_split;
  if (isObj(split) && typeof split.train === 'number' && typeof split.validation === 'number') {
    const test = typeof split.test === 'number' ? split.test : 1 - split.train - split.validation;
    const sum = split.train + split.validation + test;
    if (split.test === undefined && test < -1e-9) out.error(['training', 'data_split'], `train + validation = ${+(split.train + split.validation).toFixed(6)} exceeds 1`);
    else if (Math.abs(sum - 1) > 1e-6) out.error(['training', 'data_split'], `train + validation + test must sum to 1 (got ${+sum.toFixed(6)})`);
    if (split.validation === 0) out.warn(['training', 'data_split', 'validation'], 'no validation split: early stopping and best-epoch selection are impossible');
  }
  const labels = training.labels;
  if (isObj(labels)) {
    const source = (labels.source ?? 'zigzag') as string;
    if ((LABEL_SOURCES as readonly string[]).includes(source)) {
      const own = LABEL_KEYS[source as keyof typeof LABEL_KEYS];
      const others = Object.values(LABEL_KEYS).flat().filter((k) => !own.includes(k));
      for (const k of Object.keys(labels)) if (others.includes(k)) out.warn(['training', 'labels', k], `is ignored with labels.source '${source}'`, { category: 'ignored', atKey: true });
    } else if (source === 'context' || source === 'regime') {
      out.error(['training', 'labels', 'source'], `labels.source '${source}' is not supported`, { suggestion: `use one of ${LABEL_SOURCES.join(', ')}` });
    }
  }
  if (isStr(v.name) && !/^[A-Za-z0-9_.-]+$/.test(v.name))
    out.warn(['name'], `name '${v.name}' has characters that cannot be used in a model folder; models are stored under the file name`);
}

export function checkSemantics(v: Obj, opts: SemanticOptions, out: IssueCollector): Resolved {
  checkKeys(v, STRATEGY_KEYS, [], out);
  const { list, base } = readTimeframes(v.training_data, out);
  checkSymbols(v.training_data, out, opts.symbolsOptional);
  const indicators = checkIndicators(v, opts, out);
  const fuzzySets = checkFuzzySets(v, opts, out);
  const nnInputs = checkNNInputs(v, list, opts, out);
  checkUnused(v, out);
  checkModelTraining(v, out);
  checkTraining(v, out);
  return { timeframes: list, baseTimeframe: base, indicators, fuzzySets, nnInputs };
}

