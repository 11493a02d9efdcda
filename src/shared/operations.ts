import type { KeyMetric } from './key-metrics';

// The operation model of the REST contract (DESIGN.md §4). Lower-case statuses and types on the wire.

export const OPERATION_TYPES = ['data_load', 'training', 'backtesting', 'dummy', 'walk_forward', 'sweep'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** Parent operations: run no worker of their own; a scheduler in main starts their children. */
export const PARENT_TYPES: ReadonlySet<OperationType> = new Set(['walk_forward', 'sweep']);

export function isParentType(type: OperationType): boolean {
  return PARENT_TYPES.has(type);
}

export const OPERATION_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/**
 * KTRDR's `resuming` status (accepted resume, not yet on a worker) is no status here: a resumed
 * operation is `pending` until its job starts, then `running`. The list filter accepts the word.
 */
export const RESUMING_FILTER = 'resuming';

export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set(['completed', 'failed', 'cancelled']);

export function isTerminal(status: OperationStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export interface OperationProgress {
  percentage: number;
  /** Human text, e.g. "Epoch 3/10 · Batch 40/120". */
  current_step: string | null;
  message: string | null;
  steps_completed: number;
  steps_total: number;
  items_processed: number;
  items_total: number | null;
  current_item: string | null;
  epoch_index: number | null;
  total_epochs: number | null;
  context: Record<string, unknown>;
}

export interface OperationMetadata {
  symbol: string | null;
  timeframe: string | null;
  start_date: string | null;
  end_date: string | null;
  parameters: Record<string, unknown>;
  [key: string]: unknown;
}

/** One record of an operation's append-only metrics history (an epoch for training, a sample for backtests). */
export type MetricRecord = Record<string, unknown>;

/** Training's per-epoch record: epochs are numbered from 1. */
export interface EpochMetric {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  learning_rate: number;
  duration: number;
  timestamp: string;
  [key: string]: unknown;
}

export interface OperationInfo {
  operation_id: string;
  operation_type: OperationType;
  /** The experiment (walk_forward / sweep) this operation is a child of; null for top-level runs. */
  parent_id: string | null;
  status: OperationStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  progress: OperationProgress;
  metadata: OperationMetadata;
  error_message: string | null;
  warnings: string[];
  errors: string[];
  result_summary: Record<string, unknown> | null;
  metrics: { epochs?: MetricRecord[]; count: number; [key: string]: unknown };
}

export type OperationSummary = Pick<
  OperationInfo,
  | 'operation_id'
  | 'operation_type'
  | 'parent_id'
  | 'status'
  | 'created_at'
  | 'started_at'
  | 'completed_at'
  | 'progress'
  | 'metadata'
  | 'error_message'
> & {
  progress_percentage: number;
  current_step: string | null;
  symbol: string | null;
  duration_seconds: number | null;
  /** A finished run's headline numbers (shared/key-metrics.ts); empty while it runs. */
  key_metrics?: KeyMetric[];
};

export function emptyProgress(): OperationProgress {
  return {
    percentage: 0,
    current_step: null,
    message: null,
    steps_completed: 0,
    steps_total: 0,
    items_processed: 0,
    items_total: null,
    current_item: null,
    epoch_index: null,
    total_epochs: null,
    context: {},
  };
}
