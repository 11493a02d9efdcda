// YAML text → validated, fully defaulted StrategyConfig plus every problem (errors, warnings, notes)
// with line:column. Pure: the indicator catalog is passed in.
import type { IndicatorCatalog } from './catalog';
import { IssueCollector } from './issues';
import { migrateStrategy } from './migrate';
import { strategySchema, type ParsedStrategy } from './schema';
import { checkSemantics, type Resolved } from './semantic';
import { DEFAULT_CHECKPOINT_SETTINGS } from '../../shared/checkpoints';
import type { LabelConfig, ParseResult, StrategyConfig, StrategyIssue } from './types';
import { readYaml } from './yaml-source';
import { reportZodIssues } from './zod-issues';

export interface ParseOptions {
  /** Shown by formatIssue (file name or strategy name). */
  sourceName?: string;
  catalog: IndicatorCatalog;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function labelConfig(l: ParsedStrategy['training']['labels']): LabelConfig {
  switch (l.source) {
    case 'triple_barrier':
      return { source: 'triple_barrier', pt_multiplier: l.pt_multiplier, sl_multiplier: l.sl_multiplier, max_holding_period: l.max_holding_period, vol_span: l.vol_span, vol_method: l.vol_method };
    case 'forward_return':
      return { source: 'forward_return', horizon: l.horizon, threshold: l.threshold };
    default:
      return { source: 'zigzag', zigzag_threshold: l.zigzag_threshold };
  }
}

function buildConfig(p: ParsedStrategy, r: Resolved, migratedFrom: StrategyConfig['migrated_from']): StrategyConfig {
  const td = p.training_data;
  const mt = p.model.training ?? {};
  const split = p.training.data_split;
  const train = split?.train ?? 0.7;
  const validation = split?.validation ?? 0.15;
  const es = p.training.early_stopping;
  const type = p.model.type;
  return {
    name: p.name,
    description: p.description,
    version: '3.0',
    migrated_from: migratedFrom,
    training_data: {
      symbols: { mode: td.symbols.mode, list: td.symbols.list ?? (td.symbols.symbol ? [td.symbols.symbol] : []) },
      timeframes: { mode: td.timeframes.mode, list: r.timeframes, base_timeframe: r.baseTimeframe ?? r.timeframes[0] },
      history_required: td.history_required,
      start_date: td.start_date ?? null,
      end_date: td.end_date ?? null,
    },
    indicators: r.indicators,
    fuzzy_sets: r.fuzzySets,
    nn_inputs: r.nnInputs,
    model: {
      type,
      architecture: {
        hidden_layers: p.model.architecture.hidden_layers ?? [64, 32],
        dropout: p.model.architecture.dropout,
        activation: p.model.architecture.activation,
        sequence_length: p.model.architecture.sequence_length ?? 20,
        hidden_size: p.model.architecture.hidden_size,
        num_layers: p.model.architecture.num_layers,
      },
    },
    decisions: {
      output_format: p.decisions.output_format,
      confidence_threshold: p.decisions.confidence_threshold,
      position_awareness: p.decisions.position_awareness,
      allow_short_from_flat: p.decisions.allow_short_from_flat,
      filters: { min_signal_separation: p.decisions.filters.min_signal_separation },
      cost_model: p.decisions.cost_model ?? null,
    },
    costs: p.costs ?? null,
    training: {
      // training.* wins; model.training.* (ignored by KTRDR) is honoured when training.* is absent.
      epochs: p.training.epochs ?? mt.epochs ?? 100,
      batch_size: p.training.batch_size ?? mt.batch_size ?? 32,
      learning_rate: p.training.learning_rate ?? mt.learning_rate ?? 0.001,
      optimizer: p.training.optimizer ?? mt.optimizer ?? 'adam',
      loss: p.training.loss ?? 'cross_entropy',
      focal_gamma: p.training.focal_gamma,
      labels: labelConfig(p.training.labels),
      data_split: { train, validation, test: split?.test ?? Math.max(0, +(1 - train - validation).toFixed(12)) },
      early_stopping: es
        ? { enabled: es.enabled, patience: es.patience, min_delta: es.min_delta, monitor: es.monitor }
        : { enabled: false, patience: 10, min_delta: 0.001, monitor: 'val_loss' },
      seed: p.training.seed,
      checkpoints: { ...DEFAULT_CHECKPOINT_SETTINGS, ...p.training.checkpoints },

      threads: p.training.threads ?? null,
    },
  };
}

/** Feature names must be unique: the same fuzzy set or raw input listed twice would duplicate columns. */
function checkDuplicateInputs(r: Resolved, out: IssueCollector): void {
  const seen = new Map<string, number>();
  r.nnInputs.forEach((inp, i) => {
    const ref = inp.kind === 'fuzzy_set' ? `fuzzy_set ${inp.fuzzy_set}` : `raw_indicator ${inp.raw_indicator}`;
    for (const tf of inp.timeframes) {
      const key = `${ref}@${tf}`;
      const prev = seen.get(key);
      if (prev !== undefined && prev !== i) out.error(['nn_inputs', i], `${ref} on ${tf} is already an input (nn_inputs[${prev}]); its features would appear twice`);
      seen.set(key, i);
    }
  });
}

export function parseStrategyWith(text: string, opts: ParseOptions): ParseResult {
  const src = readYaml(text);
  if (src.issues.some((i) => i.severity === 'error')) return { issues: src.issues, valid: false };
  const root = src.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    const out = new IssueCollector(src);
    out.error([], root === null ? 'the file is empty' : 'a strategy must be a mapping of keys (name, indicators, fuzzy_sets, ...)', { category: 'structure' });
    return { issues: [...src.issues, ...out.issues], valid: false };
  }

  const m = migrateStrategy(root as Record<string, unknown>);
  const out = new IssueCollector(src, m.aliases);
  if (m.changes.length)
    out.warn([], `${m.from === 'v1' ? 'Legacy (v1)' : 'Pre-v3'} strategy migrated in memory to v3: ${m.changes.join('; ')}`, {
      category: 'migration',
      suggestion: 'write the file in v3 form (indicators as a map, explicit nn_inputs) to silence this notice',
    });

  const parsed = strategySchema.safeParse(m.value);
  if (!parsed.success) reportZodIssues(parsed.error, m.value, out);
  const resolved = checkSemantics(m.value, { catalog: opts.catalog, symbolsOptional: m.symbolsOptional }, out);
  checkDuplicateInputs(resolved, out);

  const issues: StrategyIssue[] = [...src.issues, ...out.issues].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  const valid = parsed.success && !issues.some((i) => i.severity === 'error');
  if (!valid || !parsed.success) return { issues, valid: false };
  return { strategy: buildConfig(parsed.data, resolved, m.from), issues, valid: true };
}
