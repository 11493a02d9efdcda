import type { SnapshotMessage } from '../../shared/worker-protocol';

/**
 * A retried attempt (another worker after a crash) numbers its metrics from 0 again. Records with
 * an index below `seen` were already handed on; only the rest pass, so no epoch is recorded twice
 * and a client's cursor never sees history rewritten. Returns the snapshot to forward and the new
 * count seen.
 */
export function dropSeenMetrics(m: SnapshotMessage, seen: number): { message: SnapshotMessage; seen: number } {
  const skip = Math.max(0, Math.min(m.metrics.length, seen - m.metricsFrom));
  const metrics = skip ? m.metrics.slice(skip) : m.metrics;
  return { message: { ...m, metricsFrom: m.metricsFrom + skip, metrics }, seen: Math.max(seen, m.metricsFrom + m.metrics.length) };
}
