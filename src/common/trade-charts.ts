// The blocks a finished backtest shows beyond its metrics, as markup: the histogram of trade returns,
// MFE against MAE and the exit reasons (monthly returns are the tearsheet's heatmap). The HTML report
// embeds them and the app's Backtests view shows the same markup, so the two cannot drift apart. Every string is escaped;
// numbers are written by the metric catalogue.
import { formatMetric } from '../shared/metrics-catalog';
import type { BacktestTrade } from '../shared/results/backtest';
import { escapeHtml as e } from './escape';
import { exitReasons, tradeReturn } from './equity-stats';
import { histogram, scatter } from './svg-charts';

export const TRADE_RETURN_NOTE = 'Trade return = net PnL ÷ entry notional (pnl_percent).';
export const EXCURSION_NOTE = 'Per trade: the worst (MAE, x) and best (MFE, y) unrealised PnL while it was open, from the bars’ lows and highs, in money. Green: winners, red: losers.';

/** Trades by exit reason: count, share of winners, net PnL; '' without trades. */
export function exitReasonsHtml(trades: readonly Pick<BacktestTrade, 'exit_reason' | 'net_pnl'>[], currency: string): string {
  const rows = exitReasons(trades);
  if (!rows.length) return '';
  const body = rows
    .map((x) => `<tr data-reason="${e(x.reason)}"><th scope="row">${e(x.reason.replace(/_/g, ' '))}</th><td class="num">${e(formatMetric('total_trades', x.trades))}</td><td class="num">${e(formatMetric('win_rate', x.winners / x.trades))}</td><td class="num">${e(formatMetric('net_pnl', x.net_pnl, { currency }))}</td></tr>`)
    .join('');
  return `<table class="metrics exit-reasons"><thead><tr><th>Reason</th><th>Trades</th><th>Winners</th><th>Net PnL</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function tradeChartsHtml(trades: readonly Pick<BacktestTrade, 'pnl_percent' | 'max_adverse_excursion' | 'max_favorable_excursion' | 'net_pnl'>[], currency: string): { histogram: string; excursions: string } {
  const pct = (v: number) => formatMetric('total_return_pct', v);
  const rets = trades.map(tradeReturn);
  const mean = rets.length ? rets.reduce((a, b) => a + b, 0) / rets.length : 0;
  return {
    histogram: histogram({ values: rets, label: 'Histogram of trade returns', fmt: pct, marker: rets.length ? { value: mean, label: `mean ${pct(mean)}` } : undefined }),
    excursions: scatter({
      points: trades.map((t) => ({ x: t.max_adverse_excursion, y: t.max_favorable_excursion, win: t.net_pnl > 0 })),
      label: 'MFE against MAE per trade',
      xLabel: 'MAE',
      yLabel: 'MFE',
      fmt: (v) => formatMetric('net_pnl', v, { currency }),
    }),
  };
}
