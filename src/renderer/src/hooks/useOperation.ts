import { useEffect } from 'react';
import type { MetricRecord } from '../../../shared/operations';
import { useMetrics } from '../stores/metrics';
import { useOperations, type OperationView } from '../stores/operations';

/** Watches one operation (the poller keeps it fresh while it is active) and returns its latest copy. */
export function useOperation(id: string | null): OperationView | null {
  const watch = useOperations((s) => s.watch);
  useEffect(() => (id ? watch(id) : undefined), [id, watch]);
  return useOperations((s) => (id ? (s.ops[id] ?? null) : null));
}

const NO_RECORDS: MetricRecord[] = [];

/** The operation's metrics history, grown by cursor as the poller sees new records. */
export function useMetricsFeed(id: string | null): { records: MetricRecord[]; error: string | null } {
  const subscribe = useMetrics((s) => s.subscribe);
  useEffect(() => (id ? subscribe(id) : undefined), [id, subscribe]);
  const records = useMetrics((s) => (id ? (s.feeds[id]?.records ?? NO_RECORDS) : NO_RECORDS));
  const error = useMetrics((s) => (id ? (s.feeds[id]?.error ?? null) : null));
  return { records, error };
}
