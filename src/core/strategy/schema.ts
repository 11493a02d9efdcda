// Structural schema of a KTRDR v3 strategy (after in-memory migration). Types, ranges, enums and
// defaults live here; cross-references (ids, outputs, timeframes, params) are checked in semantic.ts.
import { z } from 'zod';
import { costOverridesSchema } from '../instruments';
import { checkpointSettingsSchema } from '../../shared/checkpoints';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const fraction = z.number().min(0).max(1);

const symbolsSchema = z.object({
  mode: z.enum(['single', 'multi_symbol']),
  symbol: z.string().min(1).optional(),
  list: z.array(z.string().min(1)).optional(),
  selection_criteria: z.unknown().optional(),
});

const timeframesSchema = z.object({
  mode: z.enum(['single', 'multi_timeframe']),
  timeframe: z.string().min(1).optional(),
  list: z.array(z.string().min(1)).min(1).optional(),
  base_timeframe: z.string().min(1).optional(),
});

const trainingDataSchema = z.object({
  symbols: symbolsSchema,
  timeframes: timeframesSchema,
  history_required: int(0).default(200),
  start_date: z.string().nullish(),
  end_date: z.string().nullish(),
});

const indicatorSchema = z.looseObject({ type: z.string().min(1), data_source: z.string().optional() });

const fuzzySetSchema = z.looseObject({ indicator: z.string().min(1) });

const nnInputSchema = z.object({
  fuzzy_set: z.string().min(1).optional(),
  raw_indicator: z.string().min(1).optional(),
  timeframes: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
  normalization: z.enum(['zscore', 'minmax', 'none']).nullish(),
});

const modelTrainingSchema = z.object({
  epochs: int(1, 100_000).optional(),
  batch_size: int(1, 1_000_000).optional(),
  learning_rate: z.number().gt(0).max(10).optional(),
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).optional(),
});

const modelSchema = z.object({
  type: z.enum(['mlp', 'lstm', 'gru']).default('mlp'),
  architecture: z
    .object({
      hidden_layers: z.array(int(1, 100_000)).min(1).optional(),
      dropout: z.number().min(0).max(0.95).default(0.2),
      activation: z.enum(['relu', 'tanh', 'sigmoid', 'leaky_relu']).default('relu'),
      sequence_length: int(1, 10_000).optional(),
      hidden_size: int(1, 100_000).default(64),
      num_layers: int(1, 16).default(2),
    })
    .prefault({}),
  training: modelTrainingSchema.optional(),
});

const decisionsSchema = z.object({
  output_format: z.enum(['classification', 'regression']).default('classification'),
  confidence_threshold: fraction.default(0.5),
  position_awareness: z.boolean().default(true),
  allow_short_from_flat: z.boolean().default(false),
  filters: z.object({ min_signal_separation: z.number().min(0).default(4) }).prefault({}),
  cost_model: z.object({ round_trip_cost: z.number().gt(0), min_edge_multiplier: z.number().gt(0) }).optional(),
});

export const LABEL_SOURCES = ['zigzag', 'triple_barrier', 'forward_return'] as const;

const labelsSchema = z.object({
  source: z.enum(LABEL_SOURCES).default('zigzag'),
  zigzag_threshold: z.number().gt(0).lt(1).default(0.02),
  pt_multiplier: z.number().gt(0).default(2.0),
  sl_multiplier: z.number().gt(0).default(1.5),
  max_holding_period: int(1, 100_000).default(50),
  vol_span: int(2, 100_000).default(50),
  vol_method: z.enum(['atr', 'std']).default('atr'),
  horizon: int(1, 100_000).default(20),
  threshold: z.number().min(0).default(0.005),
});

/** Keys of `training.labels` that each source reads. */
export const LABEL_KEYS: Record<(typeof LABEL_SOURCES)[number], string[]> = {
  zigzag: ['zigzag_threshold'],
  triple_barrier: ['pt_multiplier', 'sl_multiplier', 'max_holding_period', 'vol_span', 'vol_method'],
  forward_return: ['horizon', 'threshold'],
};

const trainingSchema = z.object({
  epochs: int(1, 100_000).optional(),
  batch_size: int(1, 1_000_000).optional(),
  learning_rate: z.number().gt(0).max(10).optional(),
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).optional(),
  loss: z.enum(['cross_entropy', 'focal', 'huber', 'mse']).optional(),
  focal_gamma: z.number().min(0).default(2.0),
  labels: labelsSchema.prefault({}),
  data_split: z.object({ train: z.number().gt(0).max(1), validation: fraction, test: fraction.optional() }).optional(),
  early_stopping: z
    .object({
      enabled: z.boolean().default(true),
      patience: int(1, 100_000).default(10),
      min_delta: z.number().min(0).default(0.001),
      monitor: z.literal('val_loss').default('val_loss'),
    })
    .nullish(),
  seed: int(0, 2 ** 31 - 1).default(42),
  checkpoints: checkpointSettingsSchema.optional(),

  threads: int(1, 256).optional(),
});

export const strategySchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  version: z.union([z.string(), z.number()]).optional(),
  training_data: trainingDataSchema,
  indicators: z.record(z.string(), indicatorSchema),
  fuzzy_sets: z.record(z.string(), fuzzySetSchema).nullish(),
  nn_inputs: z.array(nnInputSchema).min(1),
  model: modelSchema.prefault({}),
  decisions: decisionsSchema.prefault({}),
  training: trainingSchema.prefault({}),
  /** Backtest costs overriding the instrument's defaults (src/core/instruments). */
  costs: costOverridesSchema.nullish(),
});

export type ParsedStrategy = z.output<typeof strategySchema>;
