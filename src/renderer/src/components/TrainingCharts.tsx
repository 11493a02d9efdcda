import { useMemo } from 'react';
import type { MetricRecord } from '../../../shared/operations';
import { epochSeries } from '../lib/training-results';
import { LineChart } from './LineChart';
import { LEGEND_H } from './UPlotChart';

const CHART_H = 220;
// Module-level formatters: a new function per render would rebuild the charts on every render.
const lossValue = (v: number) => v.toFixed(4);
const pctTick = (v: number) => `${(v * 100).toFixed(0)}%`;
const pctValue = (v: number) => `${(v * 100).toFixed(2)}%`;

/** Loss and accuracy per epoch, train (solid) vs validation (dashed); grows as new epoch records arrive. */
export function TrainingCharts({ records, bestEpoch = null }: { records: MetricRecord[]; bestEpoch?: number | null }) {
  const mark = useMemo(() => (bestEpoch ? { x: bestEpoch, label: `best epoch ${bestEpoch} (saved model)` } : null), [bestEpoch]);
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
      { label: 'train accuracy', values: s.trainAcc, color: 'good' as const },
      { label: 'val accuracy', values: s.valAcc, color: 'warn' as const, dash: [6, 4] },
    ],
    [s],
  );
  return (
    <div className="charts-2" data-testid="training-charts" data-epochs={records.length} data-best-epoch={bestEpoch ?? undefined}>
      <div>
        <h3>Loss</h3>
        {records.length ? <LineChart x={s.epoch} series={loss} height={CHART_H} xLabel="epoch" yLabel="cross-entropy loss" valueFormat={lossValue} testId="loss-chart" markX={mark} /> : <Placeholder />}
      </div>
      <div>
        <h3>Accuracy</h3>
        {records.length ? <LineChart x={s.epoch} series={acc} height={CHART_H} xLabel="epoch" yLabel="accuracy (%)" yFormat={pctTick} valueFormat={pctValue} testId="accuracy-chart" markX={mark} /> : <Placeholder />}
      </div>
    </div>
  );
}

function Placeholder() {
  return (
    <div className="chart-placeholder" style={{ height: CHART_H + LEGEND_H }}>
      Waiting for the first epoch…
    </div>
  );
}
