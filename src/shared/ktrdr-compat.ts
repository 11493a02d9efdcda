// Shapes that KTRDR's own clients read (kpiteira/ktrdr @ 2c5c717), computed from this server's data.
// Pure: the routes feed them what the operations service and the store hold.
import type { MetricRecord, OperationType } from './operations';

/**
 * KTRDR's dict form of an operation's metrics (operations_service._update_training_metrics_analysis):
 * training gets the epoch history plus trend flags; other types get their records under their key.
 */
export function ktrdrMetricsDict(type: OperationType | string, records: MetricRecord[], key: string, totalEpochsPlanned?: number | null): Record<string, unknown> {
  if (type !== 'training') return { [key]: records, count: records.length };
  const epochs = records;
  const out: Record<string, unknown> = {
    epochs,
    total_epochs_planned: totalEpochsPlanned ?? (epochs.length ? Number(epochs[epochs.length - 1].total_epochs ?? epochs.length) : 0),
    total_epochs_completed: epochs.length,
  };
  if (!epochs.length) return out;
  // Best epoch: lowest validation loss, as an index into `epochs` (KTRDR's convention).
  let bestIdx = -1;
  let bestLoss = Infinity;
  epochs.forEach((e, i) => {
    const v = e.val_loss;
    if (typeof v === 'number' && v < bestLoss) {
      bestLoss = v;
      bestIdx = i;
    }
  });
  if (bestIdx >= 0) {
    out.best_epoch = bestIdx;
    out.best_val_loss = bestLoss;
    out.epochs_since_improvement = epochs.length - 1 - bestIdx;
  } else {
    out.best_epoch = null;
    out.best_val_loss = null;
    out.epochs_since_improvement = 0;
  }
  out.is_overfitting = false;
  if (epochs.length >= 10) {
    const recent = epochs.slice(-10);
    const train = recent.map((e) => Number(e.train_loss));
    const val = recent.map((e) => e.val_loss).filter((v): v is number => typeof v === 'number');
    if (val.length >= 10) {
      const trainImprovement = train[0] > 0 ? (train[0] - train[9]) / train[0] : 0;
      const valDegradation = val[0] > 0 ? (val[9] - val[0]) / val[0] : 0;
      out.is_overfitting = train[9] < train[0] && val[9] > val[0] && trainImprovement > 0.05 && valDegradation > 0.05;
    }
  }
  out.is_plateaued = (out.epochs_since_improvement as number) >= 10;
  return out;
}

/** What this server calls a worker (OperationsService.workers()). Mirrors src/main/operations/job-host.ts. */
export interface WorkerLike {
  worker_id: string;
  host: string;
  pid: number | null;
  kind: string;
  concurrency: number;
  running: number;
  last_seen: string;
}

/** Operation types a worker of this server runs: every one (KTRDR has one type per worker). */
export const WORKER_TYPE = 'general';

/**
 * KTRDR's WorkerEndpoint.to_dict() (ktrdr/api/models/workers.py), read by `ktrdr workers`
 * (worker_type, status, capabilities.gpu_type, endpoint_url, current_operation_id) and counted by
 * `ktrdr status`. Our own fields ride along.
 */
export function ktrdrWorker(w: WorkerLike, operationTypes: readonly string[], currentOperationId: string | null) {
  return {
    ...w,
    worker_type: WORKER_TYPE,
    endpoint_url: `${w.kind}://${w.host}${w.pid !== null ? `:${w.pid}` : ''}`,
    status: w.running >= w.concurrency ? 'busy' : 'available',
    current_operation_id: currentOperationId,
    capabilities: { operation_types: [...operationTypes], concurrency: w.concurrency, gpu: false, gpu_type: null },
    last_health_check: w.last_seen,
    last_healthy_at: w.last_seen,
    health_check_failures: 0,
    metadata: { host: w.host, pid: w.pid, kind: w.kind },
  };
}
