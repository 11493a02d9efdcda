import { emptyProgress, type MetricRecord, type OperationProgress } from '../shared/operations';
import type { SnapshotMessage } from '../shared/worker-protocol';

/** Progress fields a job may set besides percentage and message; unknown keys go to `context`. */
export interface ProgressFields {
  steps_completed?: number;
  steps_total?: number;
  items_processed?: number;
  items_total?: number | null;
  current_item?: string | null;
  epoch_index?: number | null;
  total_epochs?: number | null;
  context?: Record<string, unknown>;
}

export class JobCancelledError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JobCancelledError';
  }
}

const now = () => performance.now();

/**
 * The worker's write side of the progress bridge. Every call is synchronous and cheap: it only
 * assigns fields. At most every `flushIntervalMs` (and on `flush()`, e.g. at each epoch end) the
 * latest state and the metrics appended since the last flush go to the host as ONE message.
 */
export class ProgressBridge {
  private readonly progress: OperationProgress = emptyProgress();
  private readonly metrics: MetricRecord[] = [];
  private readonly warnings: string[] = [];
  private flushedMetrics = 0;
  private flushedWarnings = 0;
  private dirty = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private cancelReason: string | null = null;
  private stoppingForShutdown = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sink: (message: SnapshotMessage) => void,
    private readonly flushIntervalMs = 100,
  ) {}

  /** Starts the idle flush timer: state written during a quiet stretch still reaches the host. */
  startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.dirty) this.flush();
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Percentage never goes backwards: a lower value keeps the previous one. */
  update(percentage: number, message?: string, fields?: ProgressFields): void {
    const p = this.progress;
    if (percentage > p.percentage) p.percentage = percentage > 100 ? 100 : percentage;
    if (message !== undefined) {
      p.message = message;
      p.current_step = message;
    }
    if (fields !== undefined) {
      if (fields.steps_completed !== undefined) p.steps_completed = fields.steps_completed;
      if (fields.steps_total !== undefined) p.steps_total = fields.steps_total;
      if (fields.items_processed !== undefined) p.items_processed = fields.items_processed;
      if (fields.items_total !== undefined) p.items_total = fields.items_total;
      if (fields.current_item !== undefined) p.current_item = fields.current_item;
      if (fields.epoch_index !== undefined) p.epoch_index = fields.epoch_index;
      if (fields.total_epochs !== undefined) p.total_epochs = fields.total_epochs;
      if (fields.context !== undefined) {
        const c = p.context;
        for (const k in fields.context) c[k] = fields.context[k];
      }
    }
    this.dirty = true;
    if (now() - this.lastFlush >= this.flushIntervalMs) this.flush();
  }

  appendMetric(record: MetricRecord): void {
    this.metrics.push(record);
    this.dirty = true;
    if (now() - this.lastFlush >= this.flushIntervalMs) this.flush();
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.dirty = true;
  }

  isCancelled(): boolean {
    return this.cancelReason !== null;
  }

  throwIfCancelled(): void {
    if (this.cancelReason !== null) throw new JobCancelledError(this.cancelReason);
  }

  /** Called by the worker's channel when the host asks the job to stop (`shutdown`: because the server stops). */
  requestCancel(reason: string, shutdown = false): void {
    if (this.cancelReason === null) {
      this.cancelReason = reason || 'cancelled';
      this.stoppingForShutdown = shutdown;
    }
  }

  /** The stop was asked because the server is shutting down, not by a user. */
  get shutdown(): boolean {
    return this.stoppingForShutdown;
  }

  get metricCount(): number {
    return this.metrics.length;
  }

  snapshot(): OperationProgress {
    return { ...this.progress, context: { ...this.progress.context } };
  }

  flush(): void {
    this.lastFlush = now();
    if (!this.dirty) return;
    this.dirty = false;
    const from = this.flushedMetrics;
    this.flushedMetrics = this.metrics.length;
    const newWarnings = this.warnings.slice(this.flushedWarnings);
    this.flushedWarnings = this.warnings.length;
    this.sink({
      type: 'snapshot',
      progress: this.snapshot(),
      metricsFrom: from,
      metrics: this.metrics.slice(from),
      warnings: newWarnings,
    });
  }
}

/** Lets pending messages (a cancel request) in; jobs call it between batches or chunks of bars. */
export function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
