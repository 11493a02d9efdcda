// Labels, units and one-line definitions of the metrics the report prints. This is the ONE place the
// report gets them from: when src/shared/metrics-catalog.ts (the product's metric catalogue) is in
// this branch, describeMetric and formatMetricValue become thin calls to its metricDef / formatMetric.
// Units use the catalogue's names.

export type ReportUnit = 'fraction' | 'percent' | 'currency' | 'ratio' | 'count' | 'bars' | 'hours' | 'p_value' | 'number';

export interface MetricDescription {
  label: string;
  unit: ReportUnit;
  definition: string;
}

const D: Record<string, MetricDescription> = {
  total_return: { label: 'Total return', unit: 'currency', definition: 'Final equity minus initial capital, after all costs.' },
  total_return_pct: { label: 'Total return %', unit: 'fraction', definition: 'Final equity ÷ initial capital − 1.' },
  annualized_return: { label: 'Annualized return', unit: 'fraction', definition: 'Compound yearly growth over the years spanned by the bars.' },
  volatility: { label: 'Volatility (annualized)', unit: 'fraction', definition: 'Population standard deviation of per-bar returns × √(bars per year).' },
  sharpe_ratio: { label: 'Sharpe ratio', unit: 'ratio', definition: 'Mean per-bar return ÷ its standard deviation × √(bars per year); risk-free rate 0.' },
  sortino_ratio: { label: 'Sortino ratio', unit: 'ratio', definition: 'Mean per-bar return ÷ downside deviation (over all returns) × √(bars per year).' },
  calmar_ratio: { label: 'Calmar ratio', unit: 'ratio', definition: 'Annualized return ÷ maximum drawdown (as fractions).' },
  max_drawdown: { label: 'Max drawdown', unit: 'currency', definition: 'Largest fall of equity below its running peak, in money.' },
  max_drawdown_pct: { label: 'Max drawdown %', unit: 'fraction', definition: 'Largest fall of equity below its running peak, as a share of that peak.' },
  recovery_factor: { label: 'Recovery factor', unit: 'ratio', definition: 'Total return ÷ maximum drawdown (money).' },
  final_equity: { label: 'Final equity', unit: 'currency', definition: 'Cash after the last bar (an open position is closed at the last close).' },
  exposure: { label: 'Time in market', unit: 'fraction', definition: 'Share of bars with an open position.' },
  total_trades: { label: 'Trades', unit: 'count', definition: 'Closed round trips (entry and exit).' },
  win_rate: { label: 'Win rate', unit: 'fraction', definition: 'Trades with a positive net PnL ÷ all trades.' },
  profit_factor: { label: 'Profit factor', unit: 'ratio', definition: 'Sum of winning trades’ PnL ÷ |sum of losing trades’ PnL| (999,999 when nothing lost).' },
  avg_win: { label: 'Average win', unit: 'currency', definition: 'Mean net PnL of the winning trades.' },
  avg_loss: { label: 'Average loss', unit: 'currency', definition: 'Mean net PnL of the losing trades (negative).' },
  largest_win: { label: 'Largest win', unit: 'currency', definition: 'Best single trade’s net PnL.' },
  largest_loss: { label: 'Largest loss', unit: 'currency', definition: 'Worst single trade’s net PnL.' },
  avg_holding_period_bars: { label: 'Average holding (bars)', unit: 'bars', definition: 'Mean number of bars a trade stays open.' },
  avg_holding_period_hours: { label: 'Average holding time', unit: 'hours', definition: 'Mean time a trade stays open, in hours.' },
  total_commission: { label: 'Total commission', unit: 'currency', definition: 'Sum of commissions over all trades.' },
  total_slippage: { label: 'Total slippage', unit: 'currency', definition: 'Sum of slippage costs over all trades.' },
  bars: { label: 'Bars', unit: 'count', definition: 'Bars in the tested range (after indicator warm-up).' },
  bars_per_year: { label: 'Bars per year', unit: 'number', definition: 'Bar count ÷ years spanned: the annualisation factor of Sharpe, Sortino and volatility.' },
  years: { label: 'Years', unit: 'number', definition: 'Time from the first bar open to the last bar close, in years.' },
  // Significance (src/core/evaluation).
  return_percentile: { label: 'Return percentile', unit: 'percent', definition: 'Share of random-entry runs whose total return is below the strategy’s (ties count half), in percent.' },
  sharpe_percentile: { label: 'Sharpe percentile', unit: 'percent', definition: 'Share of random-entry runs whose Sharpe ratio is below the strategy’s (ties count half), in percent.' },
  p_value_return: { label: 'p-value (return)', unit: 'p_value', definition: '(1 + random runs with a return ≥ the strategy’s) ÷ (runs + 1): chance of doing this well by random entries.' },
  p_value_sharpe: { label: 'p-value (Sharpe)', unit: 'p_value', definition: '(1 + random runs with a Sharpe ≥ the strategy’s) ÷ (runs + 1).' },
  random_return_p5: { label: 'Random return, 5th pct', unit: 'fraction', definition: '5th percentile of the random-entry runs’ total return.' },
  random_return_p50: { label: 'Random return, median', unit: 'fraction', definition: 'Median of the random-entry runs’ total return.' },
  random_return_p95: { label: 'Random return, 95th pct', unit: 'fraction', definition: '95th percentile of the random-entry runs’ total return.' },
  sharpe_ci95: { label: 'Sharpe 95 % interval', unit: 'ratio', definition: 'Stationary-bootstrap (Politis & Romano) percentile interval of the Sharpe ratio; block length by Politis & White.' },
  // Costs (results.costs).
  gross_pnl: { label: 'Gross PnL', unit: 'currency', definition: 'PnL at the quoted prices, before commission, spread and slippage.' },
  commission: { label: 'Commission', unit: 'currency', definition: 'Commission paid on entries and exits.' },
  spread_cost: { label: 'Spread cost', unit: 'currency', definition: 'What crossing the bid/ask spread cost.' },
  slippage_cost: { label: 'Slippage cost', unit: 'currency', definition: 'What fills worse than the quoted price cost.' },
  net_pnl: { label: 'Net PnL', unit: 'currency', definition: 'Gross PnL minus commission, spread and slippage.' },
};

/** Label, unit and definition of a metric key; unknown keys get their name and no definition. */
export function describeMetric(key: string): MetricDescription {
  return D[key] ?? { label: key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), unit: 'number', definition: '' };
}

const fixed = (v: number, d: number) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** A metric value as text in its unit (fractions as percent). */
export function formatMetricValue(key: string, value: unknown, currency?: string | null): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return '—';
  switch (describeMetric(key).unit) {
    case 'fraction':
      return `${fixed(value * 100, 2)} %`;
    case 'percent':
      return `${fixed(value, 1)} %`;
    case 'currency':
      return currency ? `${fixed(value, 2)} ${currency}` : fixed(value, 2);
    case 'ratio':
      return Math.abs(value) >= 999_999 ? '∞' : fixed(value, 2);
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'bars':
      return `${fixed(value, 1)} bars`;
    case 'hours':
      return `${fixed(value, 1)} h`;
    case 'p_value':
      return value < 0.0001 ? '< 0.0001' : fixed(value, 4);
    default:
      return fixed(value, Math.abs(value) >= 100 ? 0 : 2);
  }
}
