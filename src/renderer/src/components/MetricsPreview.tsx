import { useMemo } from 'react';
import type { MetricRecord } from '../../../shared/operations';
import { LineChart, type LineSeries } from './LineChart';

const COLORS = ['accent', 'good', 'warn', 'bad'] as const;
const SKIP = new Set(['timestamp', 'epoch', 'iteration', 'bar_index', 'step']);

/** The numeric fields of an operation's metric records over their index (any operation type). */
export function MetricsPreview({ records }: { records: MetricRecord[] }) {
  const keys = useMemo(() => {
    const first = records[0] ?? {};
    return Object.keys(first)
      .filter((k) => !SKIP.has(k) && typeof first[k] === 'number')
      .slice(0, 4);
  }, [records]);
  const x = useMemo(() => records.map((_r, i) => i + 1), [records]);
  const series = useMemo<LineSeries[]>(
    () => keys.map((k, i) => ({ label: k, values: records.map((r) => (typeof r[k] === 'number' ? (r[k] as number) : null)), color: COLORS[i % COLORS.length] })),
    [keys, records],
  );
  if (keys.length === 0) return <p className="empty">No numeric metrics.</p>;
  return <LineChart x={x} series={series} height={180} xLabel="record" testId="op-metrics-chart" />;
}
