import { useMemo } from 'react';
import { BacktestForm } from '../components/BacktestForm';
import { BacktestResults } from '../components/BacktestResults';
import { EmptyState } from '../components/EmptyState';
import { EquityCharts } from '../components/EquityCharts';
import { OperationLive } from '../components/OperationLive';
import { RecentOperations } from '../components/RecentOperations';
import { useMetricsFeed, useOperation } from '../hooks/useOperation';
import { equityFromRecords } from '../lib/backtest';
import { useSession } from '../stores/session';

export function BacktestView() {
  const opId = useSession((s) => s.backtestOpId);
  const setSession = useSession((s) => s.set);
  const op = useOperation(opId);
  const { records } = useMetricsFeed(opId);
  const live = useMemo(() => equityFromRecords(records), [records]);
  return (
    <section className="view" data-testid="view-backtests">
      <div className="view-head">
        <h1>Backtests</h1>
        <RecentOperations type="backtesting" value={opId} onChange={(id) => setSession({ backtestOpId: id })} />
      </div>
      <BacktestForm onStarted={(s) => setSession({ backtestOpId: s.id })} />
      {opId ? (
        <div className="panel">
          <OperationLive id={opId} />
          {op?.status !== 'completed' && (
            <>
              <h3>Live equity</h3>
              <EquityCharts time={live.time} equity={live.equity} drawdown={live.drawdown} testId="live-equity-chart" />
            </>
          )}
        </div>
      ) : (
        <EmptyState testId="backtest-empty">No backtest selected — run one above, or pick a recent one.</EmptyState>
      )}
      {op && <BacktestResults op={op} />}
    </section>
  );
}
