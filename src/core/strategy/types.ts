// The validated, fully defaulted strategy (KTRDR v3 format) and the problems found on the way.
// Field names follow the YAML keys (snake_case) so a reader can map config ⇄ file at a glance.
import type { ParamValue } from '../indicators/types';
import type { CostOverrides } from '../instruments';
import type { CheckpointSettings } from '../../shared/checkpoints';

export type IssueSeverity = 'error' | 'warning' | 'info';

export type IssueCategory =
  | 'yaml'
  | 'structure'
  | 'training_data'
  | 'indicators'
  | 'fuzzy_sets'
  | 'nn_inputs'
  | 'model'
  | 'decisions'
  | 'training'
  | 'migration'
  | 'ignored';

export interface StrategyIssue {
  severity: IssueSeverity;
  category: IssueCategory;
  message: string;
  /** 1-based position of the offending node in the YAML text (absent when the text has none, e.g. a missing section). */
  line?: number;
  column?: number;
  /** Key path in the file, e.g. `indicators.rsi_14.period` or `nn_inputs[1].fuzzy_set`. */
  path?: string;
  suggestion?: string;
}

export type MembershipType = 'triangular' | 'trapezoidal' | 'gaussian' | 'left_shoulder' | 'right_shoulder';

export interface MembershipSpec {
  name: string;
  type: MembershipType;
  parameters: number[];
}

export interface IndicatorConfig {
  id: string;
  /** Canonical registry type (aliases such as `RSIIndicator` resolved). */
  type: string;
  /** Every declared parameter, defaults filled in. */
  params: Record<string, ParamValue>;
  /** Output names of the indicator; the first is the default output. */
  outputs: string[];
}

export interface FuzzySetConfig {
  id: string;
  /** As written: `<indicator_id>` or `<indicator_id>.<output>`. */
  indicator: string;
  indicator_id: string;
  /** The output the set reads (the indicator's default output when none is named). */
  output: string;
  memberships: MembershipSpec[];
}

export type Normalization = 'zscore' | 'minmax' | 'none';

export type NNInputConfig =
  | { kind: 'fuzzy_set'; fuzzy_set: string; timeframes: string[]; all_timeframes: boolean }
  | {
      kind: 'raw_indicator';
      all_timeframes: boolean;
      /** As written (dot notation kept): it is part of the feature name. */
      raw_indicator: string;
      indicator_id: string;
      output: string;
      timeframes: string[];
      normalization: Normalization;
    };

export type LabelConfig =
  | { source: 'zigzag'; zigzag_threshold: number }
  | {
      source: 'triple_barrier';
      pt_multiplier: number;
      sl_multiplier: number;
      max_holding_period: number;
      vol_span: number;
      vol_method: 'atr' | 'std';
    }
  | { source: 'forward_return'; horizon: number; threshold: number };

export interface StrategyConfig {
  name: string;
  description: string;
  version: '3.0';
  /** Set when the file was in an older format and was migrated in memory. */
  migrated_from: 'v1' | 'v2' | null;
  training_data: {
    symbols: { mode: 'single' | 'multi_symbol'; list: string[] };
    /** `list` is in the order written; `base_timeframe` is the row clock of the feature matrix. */
    timeframes: { mode: 'single' | 'multi_timeframe'; list: string[]; base_timeframe: string };
    history_required: number;
    start_date: string | null;
    end_date: string | null;
  };
  indicators: Record<string, IndicatorConfig>;
  fuzzy_sets: Record<string, FuzzySetConfig>;
  /** `timeframes: all` is expanded to the training timeframes here (`all_timeframes` remembers it). */
  nn_inputs: NNInputConfig[];
  model: {
    type: 'mlp' | 'lstm' | 'gru';
    architecture: {
      hidden_layers: number[];
      dropout: number;
      activation: 'relu' | 'tanh' | 'sigmoid' | 'leaky_relu';
      /** LSTM/GRU only (window length in bars). */
      sequence_length: number;
      hidden_size: number;
      num_layers: number;
    };
  };
  decisions: {
    output_format: 'classification' | 'regression';
    confidence_threshold: number;
    position_awareness: boolean;
    allow_short_from_flat: boolean;
    /** Hours between two signals (KTRDR semantics). */
    filters: { min_signal_separation: number };
    cost_model: { round_trip_cost: number; min_edge_multiplier: number } | null;
  };
  /** Backtest cost overrides (`costs:`), applied over the instrument's defaults; null when absent. */
  costs: CostOverrides | null;
  training: {
    epochs: number;
    batch_size: number;
    learning_rate: number;
    optimizer: 'adam' | 'sgd' | 'rmsprop';
    loss: 'cross_entropy' | 'focal' | 'huber' | 'mse';
    focal_gamma: number;
    labels: LabelConfig;
    data_split: { train: number; validation: number; test: number };
    /** Runs when the YAML has `training.early_stopping` (KTRDR parses it but never runs it). */
    early_stopping: { enabled: boolean; patience: number; min_delta: number; monitor: 'val_loss' };
    seed: number;
    /** When training writes checkpoints (defaults when the YAML has no `training.checkpoints`). */
    checkpoints: CheckpointSettings;

    /** Threads the training computes on (its result depends on the count); null: KTRDR_THREADS, else one per core. */
    threads: number | null;
  };
}

export interface ParseResult {
  strategy?: StrategyConfig;
  issues: StrategyIssue[];
  valid: boolean;
}
