// metadata.json of a trained model version: everything needed to use the model again (feature order,
// normalisation statistics, sequence length) and to know where it came from (strategy hash, data range
// and content hash, seed, backend, library versions) and how good it was (metrics).

export const MANIFEST_FILE = 'metadata.json';
export const FEATURES_FILE = 'features.json';
export const STRATEGY_FILE = 'strategy.yaml';
export const MANIFEST_FORMAT = 'ktrdr-workstation-model';

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  format_version: 1;
  /** Filled in by the store when the version is committed. */
  version: number;
  created_at: string;
  strategy_name: string;
  /** sha256 (hex) of the strategy YAML text as trained (also saved as strategy.yaml). */
  strategy_hash: string;
  strategy_version: string | null;
  symbols: string[];
  /** Training timeframes, base first; the model folder is named after the first. */
  timeframes: string[];
  timeframe: string;
  output_type: 'classification';
  class_names: string[];
  model: {
    type: 'mlp' | 'lstm' | 'gru';
    input_size: number;
    num_classes: number;
    sequence_length: number;
    hidden_layers: number[];
    hidden_size: number;
    num_layers: number;
    dropout: number;
    activation: string;
    parameters_count: number;
    architecture: string;
  };
  /** Feature names in model-input order. */
  features: string[];
  /** Statistics fitted on the training split (opaque to this layer: the feature pipeline defines them). */
  normalization: unknown;
  labels: Record<string, unknown>;
  data: {
    start_date: string | null;
    end_date: string | null;
    /** sha256 of the bars the model was trained on (time + OHLCV of every symbol/timeframe, in order). */
    content_hash: string;
    samples: { train: number; validation: number; test: number };
    /** First and last feature row (bar open, ISO) over all symbols: the range of train + validation + test, which backtests check for overlap. */
    first_row_time?: string | null;
    last_row_time?: string | null;
    [key: string]: unknown;
  };
  seed: number;
  training: Record<string, unknown>;
  backend: { name: string; versions: Record<string, string>; details: Record<string, unknown> };
  library_versions: Record<string, string>;
  training_metrics: Record<string, unknown>;
  test_metrics: Record<string, unknown>;
  /** The model against the best constant predictor on each evaluated split (absent in older manifests). */
  baseline?: { validation: Record<string, unknown> | null; test: Record<string, unknown> | null };
  /** The test split's verdict (null without a test split). */
  beats_baseline?: boolean | null;
}

export type NewModelManifest = Omit<ModelManifest, 'version' | 'created_at' | 'format' | 'format_version'>;
