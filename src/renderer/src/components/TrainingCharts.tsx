import { useMemo } from 'react';
import type { MetricRecord } from '../../../shared/operations';
import { epochSeries } from '../lib/training-results';
import { LineChart } from './LineChart';

const CHART_H = 220;

/** Loss and accuracy per epoch, train vs validation; grows as new epoch records arrive by cursor. */
export function TrainingCharts({ records }: { records: MetricRecord[] }) {
  const s = useMemo(() => epochSeries(records), [records]);
  const loss = useMemo(
    () => [
      { label: 'train loss', values: s.trainLoss, color: 'accent' as const },
      { label: 'val loss', values: s.valLoss, color: 'warn' as const, dash: [6, 4] },
    ],
    [s],
  );
  const acc = useMemo(
    () => [
      { label: 'train acc', values: s.trainAcc, color: 'good' as const },
      { label: 'val acc', values: s.valAcc, color: 'warn' as const, dash: [6, 4] },
    ],
    [s],
  );
  return (
    <div className="charts-2" data-testid="training-charts" data-epochs={records.length}>
      <div>
        <h3>Loss</h3>
        {records.length ? <LineChart x={s.epoch} series={loss} height={CHART_H} xLabel="epoch" testId="loss-chart" /> : <Placeholder />}
      </div>
      <div>
        <h3>Accuracy</h3>
        {records.length ? <LineChart x={s.epoch} series={acc} height={CHART_H} xLabel="epoch" yFormat={(v) => `${(v * 100).toFixed(0)}%`} testId="accuracy-chart" /> : <Placeholder />}
      </div>
    </div>
  );
}

function Placeholder() {
  return (
    <div className="chart-placeholder" style={{ height: CHART_H }}>
      Waiting for the first epoch…
    </div>
  );
}
