import type { Db } from '../store/database';
import {
  emptyProgress,
  RESUMING_FILTER,
  type MetricRecord,
  type OperationInfo,
  type OperationMetadata,
  type OperationProgress,
  type OperationStatus,
  type OperationSummary,
  type OperationType,
} from '../../shared/operations';
import { keyMetrics } from '../../shared/key-metrics';

interface Row {
  operation_id: string;
  operation_type: OperationType;
  status: OperationStatus;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  progress_json: string;
  metadata_json: string;
  error_message: string | null;
  warnings_json: string;
  errors_json: string;
  result_summary_json: string | null;
  results_json: string | null;
  cancel_reason: string | null;
  cancelled_at: string | null;
  worker_pid: number | null;
  parent_id: string | null;
  params_json: string | null;
}

export interface ListFilter {
  /** `resuming`: pending operations that were resumed (KTRDR's status of that name). */
  status?: OperationStatus | typeof RESUMING_FILTER;
  operation_type?: OperationType;
  active_only?: boolean;
  /** Children of one experiment. */
  parent_id?: string;
  limit: number;
  offset: number;
}

/** Key under `metrics` for each type's history, as KTRDR names them. */
export function metricsKey(type: OperationType): string {
  switch (type) {
    case 'training':
      return 'epochs';
    case 'backtesting':
      return 'bars';
    case 'data_load':
      return 'segments';
    default:
      return 'history';
  }
}

// NaN and ±Infinity are not JSON: they are stored as null rather than corrupting a record.
const toJson = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x));

/** SQLite persistence of operations and their append-only metrics. Every state transition lands here. */
export class OperationsRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO operations (operation_id, operation_type, status, created_at, started_at, completed_at, updated_at,
        progress_json, metadata_json, error_message, warnings_json, errors_json, parent_id, params_json) VALUES
        (@operation_id, @operation_type, @status, @created_at, @started_at, @completed_at, @updated_at, @progress_json, @metadata_json, @error_message, @warnings_json, @errors_json, @parent_id, @params_json)`),
      get: db.prepare('SELECT * FROM operations WHERE operation_id = ?'),
      metrics: db.prepare('SELECT record_json FROM operation_metrics WHERE operation_id = ? AND seq >= ? AND seq < ? ORDER BY seq'),
      metricCount: db.prepare('SELECT COUNT(*) AS n FROM operation_metrics WHERE operation_id = ?'),
      appendMetric: db.prepare('INSERT OR IGNORE INTO operation_metrics (operation_id, seq, record_json) VALUES (?, ?, ?)'),
      progress: db.prepare('UPDATE operations SET progress_json = ?, updated_at = ? WHERE operation_id = ?'),
      warnings: db.prepare('UPDATE operations SET warnings_json = ?, updated_at = ? WHERE operation_id = ?'),
      metadata: db.prepare('UPDATE operations SET metadata_json = ? WHERE operation_id = ?'),
      start: db.prepare("UPDATE operations SET status = 'running', started_at = ?, updated_at = ?, worker_pid = ? WHERE operation_id = ? AND status = 'pending'"),
      activeCount: db.prepare("SELECT COUNT(*) AS n FROM operations WHERE status IN ('pending','running')"),
      active: db.prepare("SELECT * FROM operations WHERE status IN ('pending','running')"),
    };
  }

  /** `params`: what the job was started with, kept for retry. */
  insert(info: OperationInfo, params?: Record<string, unknown>): void {
    this.stmts.insert.run({
      operation_id: info.operation_id,
      operation_type: info.operation_type,
      status: info.status,
      created_at: info.created_at,
      started_at: info.started_at,
      completed_at: info.completed_at,
      updated_at: info.updated_at,
      progress_json: toJson(info.progress),
      metadata_json: toJson(info.metadata),
      error_message: info.error_message,
      warnings_json: toJson(info.warnings),
      errors_json: toJson(info.errors),
      parent_id: info.parent_id ?? null,
      params_json: params ? toJson(params) : null,
    });
  }

  markStarted(id: string, at: string, pid: number | null): void {
    this.stmts.start.run(at, at, pid, id);
  }

  saveProgress(id: string, progress: OperationProgress, at: string): void {
    this.stmts.progress.run(toJson(progress), at, id);
  }

  saveWarnings(id: string, warnings: string[], at: string): void {
    this.stmts.warnings.run(toJson(warnings), at, id);
  }

  saveMetadata(id: string, metadata: OperationMetadata): void {
    this.stmts.metadata.run(toJson(metadata), id);
  }

  /** Drops the records from index `from` on (a new attempt of the job replaces them). */
  truncateMetrics(id: string, from: number): void {
    this.db.prepare('DELETE FROM operation_metrics WHERE operation_id = ? AND seq >= ?').run(id, from);
  }

  appendMetrics(id: string, from: number, records: MetricRecord[]): void {
    if (records.length === 0) return;
    this.db.transaction(() => {
      records.forEach((r, i) => this.stmts.appendMetric.run(id, from + i, toJson(r)));
    })();
  }

  /**
   * Moves a non-terminal operation to a terminal status. Terminal states are sticky: returns false
   * (and changes nothing) when the operation had already ended.
   */
  finish(
    id: string,
    fields: {
      status: 'completed' | 'failed' | 'cancelled';
      at: string;
      progress: OperationProgress;
      error_message?: string | null;
      result_summary?: Record<string, unknown> | null;
      results?: Record<string, unknown> | null;
      cancel_reason?: string | null;
    },
  ): boolean {
    const r = this.db
      .prepare(
        `UPDATE operations SET status = @status, completed_at = @at, updated_at = @at, progress_json = @progress,
          error_message = COALESCE(@error_message, error_message),
          errors_json = CASE WHEN @status = 'failed' AND @error_message IS NOT NULL THEN json_insert(errors_json, '$[#]', @error_message) ELSE errors_json END,
          result_summary_json = COALESCE(@summary, result_summary_json),
          results_json = COALESCE(@results, results_json), cancel_reason = COALESCE(@cancel_reason, cancel_reason),
          cancelled_at = CASE WHEN @status = 'cancelled' THEN @at ELSE cancelled_at END
         WHERE operation_id = @id AND status IN ('pending','running')`,
      )
      .run({
        id,
        status: fields.status,
        at: fields.at,
        progress: toJson(fields.progress),
        error_message: fields.error_message ?? null,
        summary: fields.result_summary ? toJson(fields.result_summary) : null,
        results: fields.results ? toJson(fields.results) : null,
        cancel_reason: fields.cancel_reason ?? null,
      });
    return r.changes === 1;
  }

  /** Stores what a job returned after its operation had already ended (e.g. a cancelled job's partial summary). */
  attachSummary(id: string, summary: Record<string, unknown>): void {
    this.db.prepare('UPDATE operations SET result_summary_json = COALESCE(result_summary_json, ?) WHERE operation_id = ?').run(toJson(summary), id);
  }

  getRow(id: string): Row | undefined {
    return this.stmts.get.get(id) as Row | undefined;
  }

  metricCount(id: string): number {
    return (this.stmts.metricCount.get(id) as { n: number }).n;
  }

  metrics(id: string, from: number, to = Number.MAX_SAFE_INTEGER): MetricRecord[] {
    return (this.stmts.metrics.all(id, from, to) as { record_json: string }[]).map((r) => JSON.parse(r.record_json));
  }

  get(id: string, visibleMetrics?: number): OperationInfo | undefined {
    const row = this.getRow(id);
    if (!row) return undefined;
    const metrics = this.metrics(id, 0, visibleMetrics ?? Number.MAX_SAFE_INTEGER);
    return rowToInfo(row, metrics);
  }

  /** The job parameters an operation was started with (null for operations created before they were kept). */
  params(id: string): Record<string, unknown> | null {
    const row = this.getRow(id);
    return row?.params_json ? JSON.parse(row.params_json) : null;
  }

  results(id: string): Record<string, unknown> | null {
    const row = this.getRow(id);
    return row?.results_json ? JSON.parse(row.results_json) : null;
  }

  cancellation(id: string): { reason: string | null; at: string | null } {
    const row = this.getRow(id);
    return { reason: row?.cancel_reason ?? null, at: row?.cancelled_at ?? null };
  }

  list(filter: ListFilter): { items: OperationSummary[]; total: number; active: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status === RESUMING_FILTER) where.push("status = 'pending' AND json_extract(metadata_json, '$.resumed_from') IS NOT NULL");
    else if (filter.status) {
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.operation_type) {
      where.push('operation_type = ?');
      args.push(filter.operation_type);
    }
    if (filter.active_only) where.push("status IN ('pending','running')");
    if (filter.parent_id) {
      where.push('parent_id = ?');
      args.push(filter.parent_id);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM operations ${clause}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM operations ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(...args, filter.limit, filter.offset) as Row[];
    const active = (this.stmts.activeCount.get() as { n: number }).n;
    return { items: rows.map((r) => toSummary(rowToInfo(r, []))), total, active };
  }

  activeRows(): Row[] {
    return this.stmts.active.all() as Row[];
  }

  /** Every child of an experiment, oldest first. */
  children(parentId: string): OperationInfo[] {
    const rows = this.db.prepare('SELECT * FROM operations WHERE parent_id = ? ORDER BY created_at, rowid').all(parentId) as Row[];
    return rows.map((r) => rowToInfo(r, []));
  }

  /**
   * A failed or cancelled job back to `pending` under the same id, for a resume from a checkpoint: the
   * end fields are cleared (errors_json keeps the history), warnings restart (the job reports them
   * again), and metrics from `keepMetrics` on are dropped (the resumed run reports those epochs anew).
   * False when the operation is not failed or cancelled (a concurrent resume won).
   */
  reopenForResume(id: string, at: string, keepMetrics: number): boolean {
    return this.db.transaction(() => {
      const r = this.db
        .prepare(
          `UPDATE operations SET status = 'pending', updated_at = ?, completed_at = NULL, error_message = NULL, cancel_reason = NULL, cancelled_at = NULL,
            result_summary_json = NULL, results_json = NULL, warnings_json = '[]' WHERE operation_id = ? AND status IN ('failed','cancelled')`,
        )
        .run(at, id);
      if (r.changes !== 1) return false;
      this.db.prepare('DELETE FROM operation_metrics WHERE operation_id = ? AND seq >= ?').run(id, keepMetrics);
      return true;
    })();
  }

  /** A failed experiment back to running (POST /operations/{id}/resume). Only `failed` reopens: `cancelled` is sticky. */
  reopen(id: string, at: string): boolean {
    const r = this.db
      .prepare("UPDATE operations SET status = 'running', updated_at = ?, completed_at = NULL, error_message = NULL WHERE operation_id = ? AND status = 'failed'")
      .run(at, id);
    return r.changes === 1;
  }
}

export function rowToInfo(row: Row, metrics: MetricRecord[]): OperationInfo {
  const progress = { ...emptyProgress(), ...(JSON.parse(row.progress_json) as Partial<OperationProgress>) };
  const metadata = JSON.parse(row.metadata_json) as OperationMetadata;
  return {
    operation_id: row.operation_id,
    operation_type: row.operation_type,
    parent_id: row.parent_id ?? null,
    status: row.status,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    updated_at: row.updated_at,
    progress,
    metadata,
    error_message: row.error_message,
    warnings: JSON.parse(row.warnings_json),
    errors: JSON.parse(row.errors_json),
    result_summary: row.result_summary_json ? JSON.parse(row.result_summary_json) : null,
    metrics: { [metricsKey(row.operation_type)]: metrics, count: metrics.length },
  };
}

export function toSummary(info: OperationInfo, now = Date.now()): OperationSummary {
  const start = info.started_at ? Date.parse(info.started_at) : null;
  const end = info.completed_at ? Date.parse(info.completed_at) : now;
  return {
    operation_id: info.operation_id,
    operation_type: info.operation_type,
    parent_id: info.parent_id ?? null,
    status: info.status,
    created_at: info.created_at,
    started_at: info.started_at,
    completed_at: info.completed_at,
    progress: info.progress,
    progress_percentage: info.progress.percentage,
    current_step: info.progress.current_step,
    symbol: info.metadata.symbol,
    metadata: info.metadata,
    error_message: info.error_message,
    duration_seconds: start === null ? null : Math.max(0, (end - start) / 1000),
    key_metrics: info.status === 'completed' ? keyMetrics(info.operation_type, info.result_summary) : [],
  };
}
