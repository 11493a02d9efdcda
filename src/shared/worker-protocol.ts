// Messages between the main process and a job worker process (one worker per operation).
import type { MetricRecord, OperationProgress, OperationType } from './operations';

export interface JobSpec {
  operationId: string;
  /** Which job the worker runs: an operation type (dummy, training, backtesting, data_load). */
  jobType: OperationType;
  params: Record<string, unknown>;
  /** KTRDR_HOME of the server that started the job. */
  home: string;
  logLevel: string;
}

/** `cancel` with `shutdown`: the server is stopping (a training's last checkpoint is then of type `shutdown`). */
export type MainToWorker = { type: 'start'; spec: JobSpec } | { type: 'cancel'; reason: string; shutdown?: boolean };

/** A coalesced snapshot: the latest progress plus the metrics appended since the previous snapshot. */
export interface SnapshotMessage {
  type: 'snapshot';
  progress: OperationProgress;
  /** Index in the metrics history of metrics[0]. */
  metricsFrom: number;
  metrics: MetricRecord[];
  warnings: string[];
}

export type WorkerToMain =
  | SnapshotMessage
  | { type: 'result'; results: Record<string, unknown>; summary: Record<string, unknown> }
  | { type: 'cancelled'; summary: Record<string, unknown> }
  | { type: 'error'; message: string; detail?: string }
  /**
   * Which worker runs the job (`host:pid`), sent by hosts whose workers are not this server's children;
   * the first one also says the job has left the queue. `attempt`: which run of the job it is (1, 2 after a takeover…).
   */
  | { type: 'worker'; worker: string; attempt?: number }
  /**
   * A new attempt replaces the previous one (its worker was lost and another took the job over): the
   * metrics recorded from index `keep` on (0 when it started again from epoch 1; the checkpoint's
   * epochs when it resumed from one) are dropped and the new attempt's replace them, progress may go
   * down again, and `reason` is kept as a warning. Sent by scale-out hosts only.
   */
  | { type: 'restart'; attempt: number; worker: string | null; reason: string; keep?: number; resumed_from?: ResumedFrom | null };

/** The checkpoint a run continued from (the fields of KTRDR's resume answer `resumed_from`). */
export interface ResumedFrom {
  checkpoint_type: string;
  created_at: string;
  /** Epochs finished in the checkpoint: the run continues with epoch + 1 (mid-epoch when batch > 0). */
  epoch: number;
  batch: number;
}
