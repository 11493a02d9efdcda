import { useMemo } from 'react';
import { EXCURSION_NOTE, exitReasonsHtml, TRADE_RETURN_NOTE, tradeChartsHtml } from '../../../common/trade-charts';
import type { BacktestTrade } from '../../../shared/results/backtest';
import './results.css';

/**
 * What the HTML report shows beyond the metrics, in the app: the histogram of trade returns, MFE
 * against MAE and the exit reasons (monthly returns: the tearsheet's heatmap). The markup is the
 * report's own (src/common/trade-charts.ts, every string escaped there), so the app and the report
 * draw the same thing.
 */
export function TradeAnalysis({ trades, currency }: { trades: readonly BacktestTrade[]; currency: string }) {
  const blocks = useMemo(
    () => ({
      charts: tradeChartsHtml(trades, currency),
      reasons: exitReasonsHtml(trades, currency),
    }),
    [trades, currency],
  );
  return (
    <div className="trade-analysis" data-testid="bt-trade-analysis">
      <div className="charts-2">
        <div className="report-chart" data-testid="bt-return-histogram">
          <h3>Distribution of trade returns</h3>
          <div dangerouslySetInnerHTML={{ __html: blocks.charts.histogram }} />
          <p className="note small">{TRADE_RETURN_NOTE}</p>
        </div>
        <div className="report-chart" data-testid="bt-excursions">
          <h3>Maximum favourable vs adverse excursion</h3>
          <div dangerouslySetInnerHTML={{ __html: blocks.charts.excursions }} />
          <p className="note small">{EXCURSION_NOTE}</p>
        </div>
      </div>
      <div className="charts-2">
        <div data-testid="bt-exit-reasons">
          <h3>Exit reasons</h3>
          {blocks.reasons ? <div dangerouslySetInnerHTML={{ __html: blocks.reasons }} /> : <p className="empty">No trades.</p>}
        </div>
      </div>
    </div>
  );
}
