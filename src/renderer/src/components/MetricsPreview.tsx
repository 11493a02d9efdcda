import { useMemo } from 'react';
import type { MetricRecord } from '../../../shared/operations';
import { pickMetricPlot } from '../lib/metrics-preview';
import { LineChart, type LineSeries } from './LineChart';

const COLORS = ['accent', 'warn'] as const;
const DASHES = [undefined, [6, 4]];

/** The telling numeric fields of an operation's metric records (any operation type), labelled. */
export function MetricsPreview({ records }: { records: MetricRecord[] }) {
  const plot = useMemo(() => pickMetricPlot(records), [records]);
  const series = useMemo<LineSeries[]>(
    () => plot.keys.map((k, i) => ({ label: k, values: records.map((r) => (typeof r[k] === 'number' ? (r[k] as number) : null)), color: COLORS[i % COLORS.length], dash: DASHES[i % DASHES.length] })),
    [plot, records],
  );
  if (plot.keys.length === 0) return <p className="empty">No numeric metrics.</p>;
  return (
    <div data-testid="op-metrics" data-keys={plot.keys.join(',')}>
      <LineChart x={plot.x} series={series} height={180} xLabel={plot.xKey ?? 'record #'} yLabel={plot.keys.join(' / ')} testId="op-metrics-chart" />
    </div>
  );
}
