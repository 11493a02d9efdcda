import { useMemo } from 'react';
import { fmtMoney } from '../lib/format';
import { LineChart } from './LineChart';
import { LEGEND_H } from './UPlotChart';

export const EQUITY_H = 220;
export const DRAWDOWN_H = 140;

// Module-level formatters: a new function per render would rebuild the charts on every render.
const moneyTick = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const ddTick = (v: number) => `${(v * 100).toFixed(1)}%`;
const ddValue = (v: number) => `${(v * 100).toFixed(2)}%`;

/** Equity and drawdown over time (unix seconds); fixed heights so nothing jumps as points arrive. */
export function EquityCharts({ time, equity, drawdown, testId = 'equity-chart', currency = null }: { time: ArrayLike<number>; equity: ArrayLike<number>; drawdown: ArrayLike<number> | null; testId?: string; currency?: string | null }) {
  const moneyValue = useMemo(() => (v: number) => fmtMoney(v, currency), [currency]);
  const eq = useMemo(() => [{ label: 'equity', values: equity as ArrayLike<number | null>, color: 'accent' as const, fill: true }], [equity]);
  const dd = useMemo(() => (drawdown ? [{ label: 'drawdown from peak', values: Array.from(drawdown, (v) => -Math.abs(v)), color: 'bad' as const, fill: true }] : null), [drawdown]);
  if (time.length === 0)
    return (
      <div className="chart-placeholder" style={{ height: EQUITY_H + DRAWDOWN_H + 2 * LEGEND_H + 36 }} data-testid="equity-waiting">
        Waiting for the first equity sample…
      </div>
    );
  return (
    <div data-testid={`${testId}-wrap`} data-points={time.length}>
      <LineChart x={time} series={eq} height={EQUITY_H} time testId={testId} yLabel={`equity (${currency ?? 'account currency'})`} yFormat={moneyTick} valueFormat={moneyValue} />
      {dd && <LineChart x={time} series={dd} height={DRAWDOWN_H} time testId="drawdown-chart" yLabel="drawdown (%)" yFormat={ddTick} valueFormat={ddValue} />}
    </div>
  );
}
