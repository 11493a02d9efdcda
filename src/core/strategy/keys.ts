// Which keys each section reads, and which known keys the runtime ignores (and why). Every key that
// is not read becomes a warning: nothing in a strategy file is dropped without telling the author.
import type { IssueCategory } from './types';

export interface KeySpec {
  /** Keys that are read, with the spec of their value when it is itself a section. */
  keys: Record<string, KeySpec | null>;
  /** Known keys that are not used, with the reason shown to the author. */
  ignored?: Record<string, string>;
  /** Every value of this map follows `each` (maps of ids, e.g. fuzzy sets). */
  each?: KeySpec;
  /** Every item of this list follows `items`. */
  items?: KeySpec;
}

const leaf = null;
const INFO_ONLY = 'informational only; not used by training or backtests';

const labels: KeySpec = {
  keys: Object.fromEntries(
    ['source', 'zigzag_threshold', 'pt_multiplier', 'sl_multiplier', 'max_holding_period', 'vol_span', 'vol_method', 'horizon', 'threshold'].map((k) => [k, leaf]),
  ),
  ignored: {
    label_lookahead: 'zigzag labels have no look-ahead parameter (KTRDR ignores it too)',
    compute_weights: 'uniqueness weights are not implemented',
    cusum_threshold: 'the CUSUM event filter is not implemented',
    cusum_multiplier: 'the CUSUM event filter is not implemented',
  },
};

export const STRATEGY_KEYS: KeySpec = {
  keys: {
    name: leaf,
    description: leaf,
    version: leaf,
    training_data: {
      keys: {
        symbols: { keys: { mode: leaf, symbol: leaf, list: leaf }, ignored: { selection_criteria: INFO_ONLY } },
        timeframes: { keys: { mode: leaf, timeframe: leaf, list: leaf, base_timeframe: leaf } },
        history_required: leaf,
        start_date: leaf,
        end_date: leaf,
      },
      ignored: { date_range: 'dates come from the training request (or start_date/end_date)' },
    },
    indicators: leaf, // parameters are checked against each indicator's definition (semantic.ts)
    fuzzy_sets: leaf, // every key but `indicator` is a membership function (semantic.ts)
    nn_inputs: { keys: {}, items: { keys: { fuzzy_set: leaf, raw_indicator: leaf, timeframes: leaf, normalization: leaf } } },
    model: {
      keys: {
        type: leaf,
        architecture: {
          keys: { hidden_layers: leaf, dropout: leaf, activation: leaf, sequence_length: leaf, hidden_size: leaf, num_layers: leaf },
          ignored: { output_activation: 'the network outputs logits; softmax is applied when deciding' },
        },
        training: { keys: { epochs: leaf, batch_size: leaf, learning_rate: leaf, optimizer: leaf } },
      },
      ignored: { features: 'lag/price-context features are not part of the v3 input (only nn_inputs are)', name: INFO_ONLY, version: INFO_ONLY },
    },
    decisions: {
      keys: {
        output_format: leaf,
        confidence_threshold: leaf,
        position_awareness: leaf,
        allow_short_from_flat: leaf,
        filters: { keys: { min_signal_separation: leaf }, ignored: { volume_filter: 'no volume filter exists' } },
        cost_model: { keys: { round_trip_cost: leaf, min_edge_multiplier: leaf } },
      },
      ignored: { num_classes: 'the class count follows from output_format (3 for classification)' },
    },
    costs: {
      keys: { spread: leaf, spread_pips: leaf, slippage: leaf, slippage_pips: leaf, slippage_fraction: leaf, commission: { keys: { type: leaf, rate: leaf, per_share: leaf, minimum: leaf, maximum_fraction: leaf, per_lot: leaf, lot_size: leaf } } },
    },
    training: {
      keys: {
        epochs: leaf,
        batch_size: leaf,
        learning_rate: leaf,
        optimizer: leaf,
        loss: leaf,
        focal_gamma: leaf,
        labels,
        data_split: { keys: { train: leaf, validation: leaf, test: leaf } },
        early_stopping: { keys: { enabled: leaf, patience: leaf, min_delta: leaf, monitor: leaf } },
        seed: leaf,
        checkpoints: { keys: { enabled: leaf, every_epochs: leaf, every_seconds: leaf, keep: leaf } },

        threads: leaf,
      },
      ignored: {
        method: 'training is always supervised',
        lr_scheduler: 'no learning-rate scheduler is implemented',
        gradient_clip: 'gradient clipping is not configurable',
        weight_decay: 'weight decay is not configurable',
        huber_delta: 'regression training is not supported',
      },
    },
  },
  ignored: {
    hypothesis: INFO_ONLY,
    scope: INFO_ONLY,
    deployment: INFO_ONLY,
    orchestrator: 'not used by this application',
    risk_management: 'position sizing is set per backtest, not in the strategy',
    backtesting: 'backtest settings come from the backtest request (trading costs: a top-level `costs:` section)',
    context_data: 'external context series are not supported',
    author: INFO_ONLY,
    tags: INFO_ONLY,
    created: INFO_ONLY,
    notes: INFO_ONLY,
  },
};

const CATEGORY_BY_SECTION: Record<string, IssueCategory> = {
  training_data: 'training_data',
  indicators: 'indicators',
  fuzzy_sets: 'fuzzy_sets',
  nn_inputs: 'nn_inputs',
  model: 'model',
  decisions: 'decisions',
  training: 'training',
};

export function categoryOf(path: readonly (string | number)[]): IssueCategory {
  return CATEGORY_BY_SECTION[String(path[0])] ?? 'structure';
}
