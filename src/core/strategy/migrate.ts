// Older strategy layouts (KTRDR v1 `data:` + indicator lists, v2 `feature_id` lists, files without
// `nn_inputs`) are rewritten in memory to v3. Nothing is dropped quietly: one warning lists every change.
import type { PathSegment } from './yaml-source';

type Obj = Record<string, unknown>;

export interface Migration {
  value: Obj;
  from: 'v1' | 'v2' | null;
  /** Human lines, one per change. */
  changes: string[];
  /** New path prefix (dot form, e.g. `indicators.sma`) → where it came from in the file. */
  aliases: Map<string, PathSegment[]>;
  /** Symbols may be empty: a legacy file without them is trained on the request's symbols. */
  symbolsOptional: boolean;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return v === undefined || v === null ? [] : [v];
}

function migrateIndicatorList(list: unknown[], m: Migration): Obj {
  const out: Obj = {};
  const ids: string[] = [];
  list.forEach((item, i) => {
    if (!isObj(item)) {
      // Keep the bad entry under a name that points back at it; validation reports it.
      out[`indicator_${i}`] = item;
      m.aliases.set(`indicators.indicator_${i}`, ['indicators', i]);
      return;
    }
    const { name, feature_id, type, ...params } = item;
    const base = String(feature_id ?? name ?? type ?? `indicator_${i}`);
    let id = base;
    for (let k = 2; id in out; k++) id = `${base}_${k}`;
    out[id] = { type: type ?? name, ...params };
    ids.push(id);
    m.aliases.set(`indicators.${id}`, ['indicators', i]);
  });
  m.changes.push(`indicators list → map by id (${ids.join(', ') || 'none'})`);
  return out;
}

function migrateLegacyData(data: Obj, m: Migration): Obj {
  const symbols = asList(data.symbols).map(String);
  const timeframes = asList(data.timeframes).map(String);
  m.aliases.set('training_data', ['data']);
  m.changes.push('data → training_data');
  const td: Obj = {
    symbols: symbols.length > 1 ? { mode: 'multi_symbol', list: symbols } : { mode: 'single', list: symbols },
    timeframes: timeframes.length > 1 ? { mode: 'multi_timeframe', list: timeframes } : { mode: 'single', list: timeframes.length ? timeframes : ['1d'] },
  };
  if (data.history_required !== undefined) td.history_required = data.history_required;
  return td;
}

function migrateModel(model: Obj, m: Migration): Obj {
  const arch: Obj = isObj(model.architecture) ? { ...model.architecture } : {};
  const moved: string[] = [];
  const move = (from: string, to: string) => {
    if (model[from] !== undefined && arch[to] === undefined) {
      arch[to] = model[from];
      moved.push(`model.${from} → model.architecture.${to}`);
    }
  };
  move('layers', 'num_layers');
  move('num_layers', 'num_layers');
  move('hidden_size', 'hidden_size');
  move('hidden_layers', 'hidden_layers');
  move('dropout', 'dropout');
  move('sequence_length', 'sequence_length');
  if (!moved.length) return model;
  m.changes.push(...moved);
  const { layers: _l, num_layers: _n, hidden_size: _h, hidden_layers: _hl, dropout: _d, sequence_length: _s, ...rest } = model;
  return { ...rest, architecture: arch };
}

function migrateTraining(training: Obj, m: Migration): Obj {
  if (training.validation_split === undefined || training.data_split !== undefined) return training;
  const v = Number(training.validation_split);
  const { validation_split: _vs, ...rest } = training;
  if (!Number.isFinite(v) || v <= 0 || v >= 1) return training;
  m.changes.push(`training.validation_split ${v} → data_split {train: ${+(1 - v).toFixed(6)}, validation: ${v}, test: 0}`);
  return { ...rest, data_split: { train: +(1 - v).toFixed(6), validation: v, test: 0 } };
}

export function migrateStrategy(raw: Obj): Migration {
  const m: Migration = { value: { ...raw }, from: null, changes: [], aliases: new Map(), symbolsOptional: false };
  const v = m.value;
  // A file that says it is v3 gets no generated inputs: a missing nn_inputs is then a plain error.
  const declaredV3 = ['3', '3.0'].includes(String(v.version ?? ''));
  const legacyList = Array.isArray(v.indicators);
  if (legacyList) {
    const isV2 = 'scope' in v || 'training_data' in v || 'deployment' in v;
    m.from = isV2 ? 'v2' : 'v1';
    v.indicators = migrateIndicatorList(v.indicators as unknown[], m);
  }
  if (m.from && v.training_data === undefined) {
    if (isObj(v.data)) {
      v.training_data = migrateLegacyData(v.data, m);
      delete v.data;
    } else {
      v.training_data = { symbols: { mode: 'single', list: [] }, timeframes: { mode: 'single', list: ['1d'] } };
      m.changes.push('no data/training_data: symbols come from the training request, timeframe 1d unless the request names one');
    }
    m.symbolsOptional = true;
  }
  // v1/v2 fuzzy sets are keyed by the indicator they read.
  if (isObj(v.fuzzy_sets)) {
    const fixed: string[] = [];
    const sets: Obj = {};
    for (const [id, def] of Object.entries(v.fuzzy_sets)) {
      if (isObj(def) && def.indicator === undefined && isObj(v.indicators) && id in v.indicators) {
        sets[id] = { indicator: id, ...def };
        fixed.push(id);
      } else sets[id] = def;
    }
    if (fixed.length) {
      v.fuzzy_sets = sets;
      m.changes.push(`fuzzy_sets without 'indicator' read the indicator of the same id (${fixed.join(', ')})`);
    }
  }
  if (v.nn_inputs === undefined && v.indicators !== undefined && (m.from || !declaredV3)) {
    const sets = isObj(v.fuzzy_sets) ? Object.keys(v.fuzzy_sets) : [];
    if (sets.length) {
      v.nn_inputs = sets.map((s) => ({ fuzzy_set: s, timeframes: 'all' }));
      m.changes.push(`nn_inputs generated: one per fuzzy set (${sets.join(', ')}), timeframes all`);
    } else {
      const ids = isObj(v.indicators) ? Object.keys(v.indicators) : [];
      v.nn_inputs = ids.map((id) => ({ raw_indicator: id, timeframes: 'all', normalization: 'zscore' }));
      if (v.fuzzy_sets === undefined) v.fuzzy_sets = {};
      m.changes.push(`no fuzzy sets: indicators fed as raw inputs with zscore normalisation (${ids.join(', ')})`);
    }
    m.from ??= 'v2';
  }
  if (m.from) {
    if (isObj(v.model)) v.model = migrateModel(v.model, m);
    if (isObj(v.training)) v.training = migrateTraining(v.training, m);
    if (v.version !== undefined && String(v.version) !== '3.0' && String(v.version) !== '3') m.changes.push(`version ${String(v.version)} → 3.0`);
    v.version = '3.0';
  }
  return m;
}
