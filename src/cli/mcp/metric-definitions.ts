// Metric definitions served as the MCP resource ktrdr://metrics. The one catalogue is
// src/shared/metrics-catalog.ts (notebook engineer); until it is merged into this branch this
// function answers a short built-in list. When merging: make it `return Object.values(METRICS)`.

export interface MetricDefinition {
  key: string;
  label: string;
  unit: string;
  definition: string;
  higherIsBetter?: boolean;
}

const FALLBACK: MetricDefinition[] = [
  { key: 'total_return_pct', label: 'Total return', unit: 'fraction', definition: 'Final equity / initial capital − 1, after commission and slippage.', higherIsBetter: true },
  { key: 'annualized_return', label: 'Annualized return', unit: 'fraction', definition: 'Total return compounded to one year over the years the bars span.', higherIsBetter: true },
  { key: 'volatility', label: 'Volatility', unit: 'fraction', definition: 'Standard deviation of per-bar returns × √(bars per year).', higherIsBetter: false },
  { key: 'sharpe_ratio', label: 'Sharpe ratio', unit: 'ratio', definition: 'Mean per-bar return / its standard deviation × √(bars per year); risk-free rate 0.', higherIsBetter: true },
  { key: 'sortino_ratio', label: 'Sortino ratio', unit: 'ratio', definition: 'Like Sharpe but divided by the downside deviation (negative returns only).', higherIsBetter: true },
  { key: 'max_drawdown_pct', label: 'Max drawdown', unit: 'fraction', definition: 'Largest fall of equity from a previous peak, as a fraction of that peak.', higherIsBetter: false },
  { key: 'calmar_ratio', label: 'Calmar ratio', unit: 'ratio', definition: 'Annualized return / max drawdown.', higherIsBetter: true },
  { key: 'total_trades', label: 'Trades', unit: 'count', definition: 'Closed round trips.' },
  { key: 'win_rate', label: 'Win rate', unit: 'fraction', definition: 'Winning trades / closed trades.', higherIsBetter: true },
  { key: 'profit_factor', label: 'Profit factor', unit: 'ratio', definition: 'Gross profit of winners / gross loss of losers.', higherIsBetter: true },
  { key: 'exposure', label: 'Exposure', unit: 'fraction', definition: 'Fraction of bars with an open position.' },
  { key: 'benchmark.total_return_pct', label: 'Buy & hold return', unit: 'fraction', definition: 'Return of buying at the first close with all capital and holding to the last close, no costs.' },
  { key: 'final_train_accuracy', label: 'Train accuracy', unit: 'fraction', definition: 'Share of training rows whose predicted class (BUY/HOLD/SELL) is the label, last epoch.', higherIsBetter: true },
  { key: 'final_val_accuracy', label: 'Validation accuracy', unit: 'fraction', definition: 'Same on the validation split (chronologically after training, with an embargo).', higherIsBetter: true },
  { key: 'test_accuracy', label: 'Test accuracy', unit: 'fraction', definition: 'Same on the held-out test split, never seen during training or model selection.', higherIsBetter: true },
  { key: 'f1_score', label: 'F1 (macro)', unit: 'fraction', definition: 'Mean over classes of 2·precision·recall/(precision+recall) on the test split.', higherIsBetter: true },
  { key: 'is_overfitting', label: 'Overfitting flag', unit: 'boolean', definition: 'Over the last 10 epochs, train loss fell >5% while validation loss rose >5% (KTRDR rule).' },
];

export function metricDefinitions(): MetricDefinition[] {
  return FALLBACK;
}
