// The one catalogue of metric keys the product shows: label, unit, precision, one-line definition,
// direction and (for money) that the amount is in the account currency. UI tables, tooltips, CLI
// tables, the HTML report and the MCP server read it; `formatMetric` is the only place a metric value
// becomes text (fractions → percent, money with its currency, hours, bars, p-values). A key that is
// not here is an error (UnknownMetricError), never a guessed entry: add it here first.
//
// Units:
//   fraction  a share stored as a fraction (0.0841 shown as 8.41%)
//   percent   a number already in percent (8.41 shown as 8.41 %)
//   currency  account money (2 decimals, thousands separators, the result's currency code)
//   ratio     unitless ratio (Sharpe, profit factor…), 2 decimals
//   count     whole number
//   bars, hours, seconds, epochs  durations / counts in that unit
//   p_value   a probability (3 decimals, "< 0.001" below)
//   loss      a loss value (4 decimals)
//   boolean   yes / no
//   interval  a [low, high] pair of the inner unit (`intervalOf`)
//   text      shown as is
// Pure: no I/O (shared layer).

export type MetricUnit = 'fraction' | 'percent' | 'currency' | 'ratio' | 'count' | 'bars' | 'hours' | 'seconds' | 'epochs' | 'p_value' | 'loss' | 'number' | 'boolean' | 'interval' | 'text';

export interface MetricDef {
  key: string;
  label: string;
  unit: MetricUnit;
  /** Decimals for numbers (defaults per unit). */
  digits?: number;
  /** One line: what the number means and how it is computed. */
  definition: string;
  /** true: more is better; false: less is better; absent: neither (a count, a setting). */
  higherIsBetter?: boolean;
  /** For `interval`: the unit of each end. */
  intervalOf?: Exclude<MetricUnit, 'interval'>;
  /** The same number under another key (KTRDR's compatibility names): tables show only one of them. */
  aliasOf?: string;
  /** Where it comes from, for grouping in tables. */
  group: 'performance' | 'trades' | 'costs' | 'benchmark' | 'significance' | 'robustness' | 'training' | 'test' | 'baseline' | 'data' | 'settings' | 'portfolio';
}

const defs: MetricDef[] = [
  // ── backtest performance (src/core/backtest/metrics.ts) ──
  { key: 'total_return', label: 'Total return', unit: 'currency', group: 'performance', higherIsBetter: true, definition: 'Final equity minus initial capital, after all costs.' },
  { key: 'total_return_pct', label: 'Total return %', unit: 'fraction', group: 'performance', higherIsBetter: true, definition: 'Final equity ÷ initial capital − 1.' },
  { key: 'annualized_return', label: 'Annualized return', unit: 'fraction', group: 'performance', higherIsBetter: true, definition: 'Compound yearly growth over the years spanned by the bars.' },
  { key: 'volatility', label: 'Volatility (annualized)', unit: 'fraction', group: 'performance', higherIsBetter: false, definition: 'Standard deviation of per-bar returns × √(bars per year).' },
  { key: 'sharpe_ratio', label: 'Sharpe ratio', unit: 'ratio', group: 'performance', higherIsBetter: true, definition: 'Mean per-bar return ÷ its standard deviation × √(bars per year); risk-free rate 0.' },
  { key: 'sortino_ratio', label: 'Sortino ratio', unit: 'ratio', group: 'performance', higherIsBetter: true, definition: 'Mean per-bar return ÷ downside deviation × √(bars per year).' },
  { key: 'calmar_ratio', label: 'Calmar ratio', unit: 'ratio', group: 'performance', higherIsBetter: true, definition: 'Annualized return ÷ maximum drawdown (as fractions).' },
  { key: 'max_drawdown', label: 'Max drawdown', unit: 'currency', group: 'performance', higherIsBetter: false, definition: 'Largest fall of equity below its running peak, in money.' },
  { key: 'max_drawdown_pct', label: 'Max drawdown %', unit: 'fraction', group: 'performance', higherIsBetter: false, definition: 'Largest fall of equity below its running peak, as a share of that peak.' },
  { key: 'recovery_factor', label: 'Recovery factor', unit: 'ratio', group: 'performance', higherIsBetter: true, definition: 'Total return ÷ maximum drawdown (money).' },
  { key: 'final_equity', label: 'Final equity', unit: 'currency', group: 'performance', definition: 'Cash plus open position value at the last bar close.' },
  { key: 'exposure', label: 'Time in market', unit: 'fraction', group: 'performance', definition: 'Share of bars with an open position.' },
  { key: 'capital_invested', label: 'Avg equity invested', unit: 'fraction', group: 'benchmark', definition: 'Mean over bars of |position value| ÷ equity: the share of equity at work (what the exposure-matched benchmark matches).' },
  { key: 'bars', label: 'Bars', unit: 'count', group: 'data', definition: 'Bars in the tested range (after indicator warm-up).' },
  { key: 'bars_per_year', label: 'Bars per year', unit: 'number', digits: 0, group: 'data', definition: 'Bar count ÷ years spanned: the annualisation factor used for Sharpe, Sortino and volatility.' },
  { key: 'years', label: 'Years', unit: 'number', digits: 2, group: 'data', definition: 'Time from the first bar open to the last bar close, in years.' },
  // ── trades ──
  { key: 'total_trades', label: 'Trades', unit: 'count', group: 'trades', definition: 'Closed round trips (entry and exit).' },
  { key: 'winning_trades', label: 'Winning trades', unit: 'count', group: 'trades', definition: 'Trades with a positive net PnL.' },
  { key: 'losing_trades', label: 'Losing trades', unit: 'count', group: 'trades', definition: 'Trades with a negative net PnL.' },
  { key: 'win_rate', label: 'Win rate', unit: 'fraction', group: 'trades', higherIsBetter: true, definition: 'Winning trades ÷ all trades.' },
  { key: 'profit_factor', label: 'Profit factor', unit: 'ratio', group: 'trades', higherIsBetter: true, definition: 'Sum of winning trades’ PnL ÷ |sum of losing trades’ PnL|; undefined (—) when no trade lost.' },
  { key: 'avg_win', label: 'Average win', unit: 'currency', group: 'trades', higherIsBetter: true, definition: 'Mean net PnL of the winning trades.' },
  { key: 'avg_loss', label: 'Average loss', unit: 'currency', group: 'trades', higherIsBetter: true, definition: 'Mean net PnL of the losing trades (negative).' },
  { key: 'largest_win', label: 'Largest win', unit: 'currency', group: 'trades', definition: 'Best single trade’s net PnL.' },
  { key: 'largest_loss', label: 'Largest loss', unit: 'currency', group: 'trades', definition: 'Worst single trade’s net PnL.' },
  { key: 'avg_holding_period_hours', label: 'Average holding time', unit: 'hours', group: 'trades', definition: 'Mean time a trade stays open, in hours.' },
  { key: 'avg_holding_period_bars', label: 'Average holding (bars)', unit: 'bars', digits: 1, group: 'trades', definition: 'Mean number of bars a trade stays open.' },
  { key: 'avg_win_holding_period', label: 'Average holding, winners', unit: 'hours', group: 'trades', definition: 'Mean holding time of the winning trades, in hours.' },
  { key: 'avg_loss_holding_period', label: 'Average holding, losers', unit: 'hours', group: 'trades', definition: 'Mean holding time of the losing trades, in hours.' },
  { key: 'trade_count', label: 'Trades', unit: 'count', group: 'trades', aliasOf: 'total_trades', definition: 'Closed round trips.' },
  // ── costs (cost breakdown) ──
  { key: 'gross_pnl', label: 'Gross PnL', unit: 'currency', group: 'costs', higherIsBetter: true, definition: 'PnL at the quoted prices, before commission, spread and slippage.' },
  { key: 'commission', label: 'Commission', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'Commission paid on entries and exits.' },
  { key: 'spread_cost', label: 'Spread cost', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'What crossing the bid/ask spread cost.' },
  { key: 'slippage_cost', label: 'Slippage cost', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'What fills worse than the quoted price cost.' },
  { key: 'net_pnl', label: 'Net PnL', unit: 'currency', group: 'costs', higherIsBetter: true, definition: 'Gross PnL minus commission, spread and slippage.' },
  { key: 'total_commission', label: 'Total commission', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'Sum of commissions over all trades.' },
  { key: 'total_slippage', label: 'Total slippage', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'Sum of slippage costs over all trades.' },
  { key: 'total_spread_cost', label: 'Total spread cost', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'Sum over all trades of the half-spread paid on entry and on exit.' },
  { key: 'quantity', label: 'Units held', unit: 'number', digits: 4, group: 'benchmark', definition: 'Units the benchmark bought at the first close and sold at the last.' },
  // ── backtest settings ──
  { key: 'initial_capital', label: 'Initial capital', unit: 'currency', group: 'settings', definition: 'Cash at the start of the backtest.' },
  { key: 'position_size', label: 'Position size', unit: 'fraction', group: 'settings', definition: 'Share of available cash committed per position.' },
  { key: 'commission_rate', label: 'Commission rate', unit: 'fraction', digits: 3, group: 'settings', definition: 'Share of notional charged on entry and on exit.' },
  { key: 'slippage', label: 'Slippage', unit: 'fraction', digits: 3, group: 'settings', definition: 'Share of price a fill moves against the trade.' },
  // ── significance against random entries / statistics ──
  { key: 'return_percentile', label: 'Return percentile', unit: 'percent', digits: 1, group: 'significance', higherIsBetter: true, definition: 'Share of random-entry runs whose total return is below the strategy’s (ties count half), in percent.' },
  { key: 'sharpe_percentile', label: 'Sharpe percentile', unit: 'percent', digits: 1, group: 'significance', higherIsBetter: true, definition: 'Share of random-entry runs whose Sharpe ratio is below the strategy’s (ties count half), in percent.' },
  { key: 'p_value_return', label: 'p-value (return)', unit: 'p_value', group: 'significance', higherIsBetter: false, definition: '(1 + random runs with a return ≥ the strategy’s) ÷ (runs + 1): the chance of doing this well by random entries with the same trades.' },
  { key: 'p_value_sharpe', label: 'p-value (Sharpe)', unit: 'p_value', group: 'significance', higherIsBetter: false, definition: '(1 + random runs with a Sharpe ratio ≥ the strategy’s) ÷ (runs + 1).' },
  { key: 'random_return_p5', label: 'Random return, 5th pct', unit: 'fraction', group: 'significance', definition: '5th percentile of the random-entry runs’ total return.' },
  { key: 'random_return_p50', label: 'Random return, median', unit: 'fraction', group: 'significance', definition: 'Median of the random-entry runs’ total return.' },
  { key: 'random_return_p95', label: 'Random return, 95th pct', unit: 'fraction', group: 'significance', definition: '95th percentile of the random-entry runs’ total return.' },
  { key: 'random_runs', label: 'Random-entry runs', unit: 'count', group: 'significance', definition: 'Random-entry strategies run with the same trade count, holding times, long/short mix, sizing and costs.' },
  { key: 'random_min_trades', label: 'Fewest random trades', unit: 'count', group: 'significance', definition: 'Fewest trades a random-entry run made (below the strategy’s only when an entry was refused near ruin).' },
  { key: 'sharpe_ci95', label: 'Sharpe 95 % interval', unit: 'interval', intervalOf: 'ratio', group: 'significance', definition: '95 % stationary-bootstrap percentile interval of the Sharpe ratio (block length by Politis–White).' },
  { key: 'deflated_sharpe_ratio', label: 'Deflated Sharpe ratio', unit: 'fraction', group: 'significance', higherIsBetter: true, definition: 'Probability that the true Sharpe is above 0 after correcting for the number of trials, skew and kurtosis (Bailey & López de Prado).' },
  { key: 'p_value', label: 'p-value', unit: 'p_value', group: 'significance', higherIsBetter: false, definition: 'Probability of a result at least this good by chance under the null hypothesis.' },
  // ── robustness (walk-forward, sweeps) ──
  { key: 'pbo', label: 'Probability of overfitting', unit: 'fraction', group: 'robustness', higherIsBetter: false, definition: 'Share of splits where the in-sample best configuration ranks below the median out of sample (CSCV).' },
  { key: 'oos_sharpe', label: 'Out-of-sample Sharpe', unit: 'ratio', group: 'robustness', higherIsBetter: true, definition: 'Sharpe ratio over the out-of-sample folds joined together.' },
  { key: 'degradation_ratio', label: 'Degradation ratio', unit: 'ratio', group: 'robustness', higherIsBetter: true, definition: 'Out-of-sample performance ÷ in-sample performance (1 = no decay).' },
  { key: 'profitable_fold_share', label: 'Share of profitable folds', unit: 'fraction', group: 'robustness', higherIsBetter: true, definition: 'Share of the completed walk-forward folds with a defined return whose out-of-sample return is positive.' },
  { key: 'folds', label: 'Folds', unit: 'count', group: 'robustness', definition: 'Walk-forward folds planned: each trains on its training window and is backtested on the next, later test window.' },
  { key: 'completed_folds', label: 'Completed folds', unit: 'count', group: 'robustness', definition: 'Folds whose training and out-of-sample backtest both completed.' },
  { key: 'return_folds', label: 'Folds with a return', unit: 'count', group: 'robustness', definition: 'Completed folds whose out-of-sample total return is defined: the folds the return statistics are over.' },
  { key: 'sharpe_folds', label: 'Folds with a Sharpe ratio', unit: 'count', group: 'robustness', definition: 'Completed folds whose out-of-sample Sharpe ratio is defined (a fold without trades has none): the folds the Sharpe statistics are over.' },
  { key: 'profitable_folds', label: 'Profitable folds', unit: 'count', group: 'robustness', higherIsBetter: true, definition: 'Folds with a positive out-of-sample total return.' },
  { key: 'run_status', label: 'Status', unit: 'text', group: 'robustness', definition: 'Where a fold or trial stands: pending, queued, training, backtesting, completed, failed, cancelled or skipped.' },
  { key: 'trading_costs', label: 'Costs', unit: 'currency', group: 'costs', higherIsBetter: false, definition: 'Commission + spread cost + slippage cost: what trading cost, gross PnL − net PnL.' },
  { key: 'degradation_basis', label: 'Degradation basis', unit: 'text', group: 'robustness', definition: 'What the degradation ratio compares: sharpe (out-of-sample ÷ in-sample Sharpe, when in-sample backtests ran) or accuracy (test-split ÷ train accuracy).' },
  { key: 'sharpe_degradation', label: 'Sharpe degradation', unit: 'ratio', group: 'robustness', higherIsBetter: true, definition: 'Mean out-of-sample Sharpe ÷ mean in-sample Sharpe over the folds that have both; undefined when the in-sample mean is not positive.' },
  { key: 'in_sample_sharpe', label: 'In-sample Sharpe', unit: 'ratio', group: 'robustness', definition: 'Sharpe ratio of a fold’s model backtested on its own training window; in the degradation, the mean over the folds that have both Sharpe ratios.' },
  { key: 'out_of_sample_sharpe', label: 'Out-of-sample Sharpe', unit: 'ratio', group: 'robustness', higherIsBetter: true, definition: 'Sharpe ratio of a fold’s test-window backtest; in the degradation, the mean over the folds that have both Sharpe ratios.' },
  { key: 'paired_sharpe_folds', label: 'Folds with both Sharpe ratios', unit: 'count', group: 'robustness', definition: 'Folds with a defined in-sample and out-of-sample Sharpe ratio: the folds the Sharpe degradation is over.' },
  { key: 'accuracy_degradation', label: 'Accuracy degradation', unit: 'ratio', group: 'robustness', higherIsBetter: true, definition: 'Mean test-split accuracy ÷ mean train accuracy over the folds that have both.' },
  { key: 'held_out_accuracy', label: 'Held-out accuracy', unit: 'fraction', group: 'robustness', higherIsBetter: true, definition: 'Test-split accuracy of a fold’s model inside its training window; in the degradation, the mean over the folds that have both accuracies.' },
  { key: 'accuracy_folds', label: 'Folds with both accuracies', unit: 'count', group: 'robustness', definition: 'Folds with a defined train and test-split accuracy: the folds the accuracy degradation is over.' },
  { key: 'trials_requested', label: 'Trials requested', unit: 'count', group: 'robustness', definition: 'Parameter sets the sweep was asked to try.' },
  { key: 'completed_trials', label: 'Completed trials', unit: 'count', group: 'robustness', definition: 'Trials whose training (and selection-window backtest, if any) completed.' },
  { key: 'failed_trials', label: 'Failed trials', unit: 'count', group: 'robustness', higherIsBetter: false, definition: 'Trials that failed or were skipped (an invalid strategy, a failed training or backtest).' },
  { key: 'rankable_trials', label: 'Rankable trials', unit: 'count', group: 'robustness', definition: 'Completed trials whose objective is defined: the ones the choice is made from.' },
  { key: 'trials_used', label: 'Trials judged', unit: 'count', group: 'robustness', definition: 'Trials with a selection-window backtest: N in the deflated Sharpe ratio and the columns of the PBO matrix.' },
  { key: 'observations', label: 'Return observations', unit: 'count', group: 'robustness', definition: 'Per-bar returns of each trial on the selection window that the deflated Sharpe ratio and the PBO use (T).' },
  { key: 'out_of_sample', label: 'Out of sample', unit: 'boolean', group: 'data', definition: 'Whether the backtest range lies entirely after the model’s training data.' },
  { key: 'warmup_bars', label: 'Warm-up bars', unit: 'count', group: 'data', definition: 'Bars before the tested range that only fed the indicators.' },
  { key: 'in_sample_bars', label: 'In-sample bars', unit: 'count', group: 'data', higherIsBetter: false, definition: 'Bars of the backtest range the model saw in training (0 for a clean test).' },
  // ── portfolio backtests (src/core/portfolio, src/shared/results/portfolio.ts) ──
  { key: 'legs', label: 'Legs', unit: 'count', group: 'portfolio', definition: 'Instruments in the portfolio: one position each, one cash account in the account currency.' },
  { key: 'steps', label: 'Steps', unit: 'count', group: 'data', definition: 'Points of the portfolio’s equity: the union of its legs’ bar open times (a leg without a bar at a step keeps its last close).' },
  { key: 'average_gross_exposure', label: 'Avg gross exposure', unit: 'fraction', group: 'portfolio', definition: 'Mean over steps of Σ |position value| ÷ equity: 100% is fully invested without leverage.' },
  { key: 'contribution', label: 'Contribution', unit: 'fraction', group: 'portfolio', higherIsBetter: true, definition: 'The leg’s net PnL ÷ initial capital: the legs’ contributions add up to the portfolio’s total return.' },
  { key: 'share_of_pnl', label: 'Share of PnL', unit: 'fraction', group: 'portfolio', definition: 'The leg’s net PnL ÷ the portfolio’s net PnL (undefined when the portfolio made none).' },
  { key: 'rebalance_fills', label: 'Rebalancing fills', unit: 'count', group: 'portfolio', definition: 'Fills that resized an open position to its sizing budget (inside a trade; not counted as trades).' },
  { key: 'skipped_sizing', label: 'Entries skipped: sizing', unit: 'count', group: 'portfolio', definition: 'Entry signals not taken because the sizing rule gave no budget (volatility not yet known, a Kelly fraction ≤ 0, no equity).' },
  { key: 'skipped_gross_exposure', label: 'Entries skipped: exposure cap', unit: 'count', group: 'portfolio', definition: 'Entry signals not taken because the gross exposure cap left no room.' },
  { key: 'skipped_too_small', label: 'Entries skipped: too small', unit: 'count', group: 'portfolio', definition: 'Entry signals not taken because less than one unit was affordable (or the costs exceeded the price).' },
  { key: 'kelly_fraction', label: 'Kelly fraction f*', unit: 'fraction', group: 'portfolio', definition: 'mean(r) ÷ mean(r²) over the returns r (net PnL ÷ entry notional) of the leg’s last closed trades: the log-optimal share of equity to second order; Kelly sizing invests min(cap, fraction × f*).' },
  { key: 'correlation', label: 'Correlation', unit: 'ratio', group: 'portfolio', definition: 'Pearson correlation of two legs’ per-step contributions (change of the leg’s value ÷ equity at the step before); 1 on the diagonal.' },
  { key: 'model_path', label: 'Model', unit: 'text', group: 'portfolio', definition: 'The model version whose signals the leg traded.' },
  { key: 'sizing', label: 'Sizing rule', unit: 'text', group: 'settings', definition: 'How much an entry or a rebalance puts into a leg: fixed fraction, equal weight, volatility target or fractional Kelly, as a budget of equity at the fill.' },
  { key: 'max_gross_exposure', label: 'Max gross exposure', unit: 'ratio', group: 'settings', definition: 'Cap on Σ |position value| ÷ equity after an entry or a rebalance (1 = no leverage); entries shrink to fit.' },
  { key: 'rebalance', label: 'Rebalancing', unit: 'text', group: 'settings', definition: 'Open positions resized to their sizing budget at the first step of each day, week or month (none: never).' },
  { key: 'min_rebalance_fraction', label: 'Min rebalance', unit: 'fraction', group: 'settings', definition: 'A rebalance smaller than this share of the position is skipped (no churn).' },
  // ── training (src/worker/training/pipeline.ts) ──
  { key: 'epochs_trained', label: 'Epochs trained', unit: 'epochs', group: 'training', definition: 'Epochs run before the end or early stopping.' },
  { key: 'best_epoch', label: 'Best epoch', unit: 'epochs', group: 'training', definition: 'Epoch with the lowest validation loss: the saved model’s weights.' },
  { key: 'early_stopped', label: 'Early stopped', unit: 'boolean', group: 'training', definition: 'Training stopped before the maximum epochs because validation loss stopped improving.' },
  { key: 'restored_best_weights', label: 'Best weights restored', unit: 'boolean', group: 'training', definition: 'The saved model uses the best epoch’s weights, not the last epoch’s.' },
  { key: 'training_time', label: 'Training time', unit: 'seconds', group: 'training', definition: 'Wall-clock seconds spent in the training loop.' },
  { key: 'final_train_loss', label: 'Final train loss', unit: 'loss', group: 'training', higherIsBetter: false, definition: 'Cross-entropy on the training split at the last epoch.' },
  { key: 'final_train_accuracy', label: 'Final train accuracy', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Accuracy on the training split at the last epoch.' },
  { key: 'best_train_accuracy', label: 'Best train accuracy', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Highest training-split accuracy over all epochs.' },
  { key: 'final_val_loss', label: 'Final validation loss', unit: 'loss', group: 'training', higherIsBetter: false, definition: 'Cross-entropy on the validation split at the last epoch.' },
  { key: 'final_val_accuracy', label: 'Final validation accuracy', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Accuracy on the validation split at the last epoch.' },
  { key: 'best_val_accuracy', label: 'Validation accuracy (best epoch)', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Validation accuracy at the best-validation-loss epoch (the saved model).' },
  { key: 'max_val_accuracy', label: 'Highest validation accuracy', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Highest validation accuracy over all epochs (not necessarily the saved model).' },
  { key: 'best_val_loss', label: 'Best validation loss', unit: 'loss', group: 'training', higherIsBetter: false, definition: 'Lowest validation cross-entropy over all epochs.' },
  { key: 'train_loss', label: 'Train loss', unit: 'loss', group: 'training', higherIsBetter: false, definition: 'Cross-entropy on the training split.' },
  { key: 'val_loss', label: 'Validation loss', unit: 'loss', group: 'training', higherIsBetter: false, definition: 'Cross-entropy on the validation split.' },
  { key: 'train_accuracy', label: 'Train accuracy', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Share of training rows classified correctly.' },
  { key: 'val_accuracy', label: 'Validation accuracy', unit: 'fraction', group: 'training', higherIsBetter: true, definition: 'Share of validation rows classified correctly.' },
  { key: 'epochs', label: 'Epochs (max)', unit: 'epochs', group: 'settings', definition: 'Maximum passes over the training split.' },
  { key: 'batch_size', label: 'Batch size', unit: 'count', group: 'settings', definition: 'Rows per gradient step.' },
  { key: 'learning_rate', label: 'Learning rate', unit: 'number', digits: 5, group: 'settings', definition: 'Adam step size.' },
  { key: 'seed', label: 'Seed', unit: 'count', group: 'settings', definition: 'Random seed: the same seed, strategy and data give the same model.' },
  // ── test split (src/worker/training/evaluate.ts) ──
  { key: 'test_accuracy', label: 'Test accuracy', unit: 'fraction', group: 'test', higherIsBetter: true, definition: 'Share of test rows classified correctly by the saved model.' },
  { key: 'test_loss', label: 'Test loss', unit: 'loss', group: 'test', higherIsBetter: false, definition: 'Cross-entropy of the saved model on the test split.' },
  { key: 'precision', label: 'Precision (weighted)', unit: 'fraction', group: 'test', higherIsBetter: true, definition: 'Per-class precision averaged with class support as weights.' },
  { key: 'recall', label: 'Recall (weighted)', unit: 'fraction', group: 'test', higherIsBetter: true, definition: 'Per-class recall averaged with class support as weights.' },
  { key: 'f1_score', label: 'F1 (weighted)', unit: 'fraction', group: 'test', higherIsBetter: true, definition: 'Per-class F1 averaged with class support as weights.' },
  { key: 'macro_f1', label: 'F1 (macro)', unit: 'fraction', group: 'test', higherIsBetter: true, definition: 'Unweighted mean of the per-class F1 scores: rare classes count as much as common ones.' },
  { key: 'balanced_accuracy', label: 'Balanced accuracy', unit: 'fraction', group: 'test', higherIsBetter: true, definition: 'Mean of the per-class recalls (0.33 for a constant answer with 3 classes).' },
  { key: 'samples', label: 'Test rows', unit: 'count', group: 'test', definition: 'Rows in the test split.' },
  // ── baseline (does the model beat a constant answer?) ──
  { key: 'best_constant_accuracy', label: 'Constant-answer accuracy', unit: 'fraction', group: 'baseline', definition: 'Accuracy of always answering the training split’s most common class.' },
  { key: 'best_constant_balanced_accuracy', label: 'Constant-answer balanced accuracy', unit: 'fraction', group: 'baseline', definition: 'Balanced accuracy of the best constant answer on the same split (1 ÷ classes present).' },
  { key: 'best_constant_macro_f1', label: 'Constant-answer F1 (macro)', unit: 'fraction', group: 'baseline', definition: 'Macro-F1 of the best constant answer on the same split.' },
  { key: 'best_constant_class', label: 'Best constant answer', unit: 'text', group: 'baseline', definition: 'The class that, answered for every sample of the split, scores best there.' },
  { key: 'majority_accuracy', label: 'Majority-class accuracy', unit: 'fraction', group: 'baseline', definition: 'Accuracy of always answering the training split’s most common class.' },
  { key: 'split_majority_accuracy', label: 'Split majority share', unit: 'fraction', group: 'baseline', definition: 'Share of the evaluated split’s most common label (the best constant answer in hindsight).' },
  { key: 'model_accuracy', label: 'Model accuracy', unit: 'fraction', group: 'baseline', higherIsBetter: true, definition: 'The saved model’s accuracy on the same split as the baseline.' },
  { key: 'beats_baseline', label: 'Beats the baseline', unit: 'boolean', group: 'baseline', definition: 'The model is more accurate than the best constant answer on the same split and the one-sided McNemar test gives p < 0.05.' },
  { key: 'majority_class', label: 'Majority class', unit: 'text', group: 'baseline', definition: 'The training split’s most common label.' },
  { key: 'split_majority_class', label: 'Split majority class', unit: 'text', group: 'baseline', definition: 'The evaluated split’s most common label.' },
  { key: 'split', label: 'Split', unit: 'text', group: 'baseline', definition: 'Which split the baseline comparison uses.' },
  // ── misc results ──
  { key: 'execution_time_seconds', label: 'Run time', unit: 'seconds', group: 'data', definition: 'Wall-clock seconds the run took.' },
  { key: 'equity_curve_length', label: 'Equity points', unit: 'count', group: 'data', aliasOf: 'bars', definition: 'Points on the equity curve (one per bar).' },
];

export const METRICS: Readonly<Record<string, MetricDef>> = Object.freeze(Object.fromEntries(defs.map((d) => [d.key, d])));

const DEFAULT_DIGITS: Partial<Record<MetricUnit, number>> = { fraction: 2, percent: 2, currency: 2, ratio: 2, hours: 1, seconds: 1, bars: 1, loss: 4, number: 4, p_value: 3 };

/** The last part of a dotted path ("benchmark.total_return" → "total_return"). */
function leaf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

/** A key the catalogue does not have: add an entry (label, unit, definition) instead of guessing. */
export class UnknownMetricError extends Error {
  constructor(readonly key: string) {
    super(`Metric '${key}' is not in the metric catalogue (src/shared/metrics-catalog.ts): add its label, unit and definition there`);
    this.name = 'UnknownMetricError';
  }
}

/** The catalogue entry for a key (dotted paths use their last part), or null. */
export function findMetric(key: string): MetricDef | null {
  return METRICS[key] ?? METRICS[leaf(key)] ?? null;
}

/** The catalogue entry for a key (dotted paths use their last part); an unknown key throws UnknownMetricError. */
export function metricDef(key: string): MetricDef {
  const d = findMetric(key);
  if (!d) throw new UnknownMetricError(key);
  return d;
}

export function isKnownMetric(key: string): boolean {
  return findMetric(key) !== null;
}

/** Decimals a metric is shown with (its own, else its unit's default). */
export function metricPrecision(key: string): number {
  const d = metricDef(key);
  const unit = d.unit === 'interval' ? (d.intervalOf ?? 'number') : d.unit;
  return d.digits ?? DEFAULT_DIGITS[unit] ?? 0;
}

/** "Total return %" and, for "benchmark.x", "Buy & hold: x's label". */
export function metricLabel(key: string): string {
  const d = metricDef(key);
  const prefix = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
  if (prefix === 'benchmark') return `Buy & hold: ${d.label.charAt(0).toLowerCase()}${d.label.slice(1)}`;
  return prefix ? `${prefix.replace(/_/g, ' ')}: ${d.label}` : d.label;
}

/** Tooltip text: definition, unit and direction. */
export function metricTooltip(key: string): string {
  const d = metricDef(key);
  const dir = d.higherIsBetter === true ? 'Higher is better.' : d.higherIsBetter === false ? 'Lower is better.' : '';
  return [d.definition, dir].filter(Boolean).join(' ');
}

export interface FormatOptions {
  /** ISO code (USD, EUR…) or any label; omitted: plain amount (KTRDR has no account currency). */
  currency?: string | null;
  /** Overrides the unit's default decimals. */
  digits?: number;
}

function fixed(v: number, digits: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function money(v: number, digits: number, currency?: string | null): string {
  const amount = fixed(v, digits);
  return currency ? `${amount} ${currency}` : amount;
}

function formatUnit(unit: MetricUnit, v: number, digits: number | undefined, opts: FormatOptions): string {
  const d = opts.digits ?? digits ?? DEFAULT_DIGITS[unit] ?? 2;
  switch (unit) {
    case 'fraction':
      return `${fixed(v * 100, d)}%`;
    case 'percent':
      return `${fixed(v, d)}%`;
    case 'currency':
      return money(v, d, opts.currency);
    case 'ratio':
      return fixed(v, d);
    case 'count':
    case 'epochs':
      return Math.round(v).toLocaleString('en-US');
    case 'bars':
      return `${fixed(v, Number.isInteger(v) ? 0 : d)} bars`;
    case 'hours':
      return `${fixed(v, d)} h`;
    case 'seconds':
      return `${fixed(v, d)} s`;
    case 'p_value': {
      const floor = 10 ** -d;
      return v > 0 && v < floor ? `< ${fixed(floor, d)}` : fixed(v, d);
    }
    case 'boolean':
      return v ? 'yes' : 'no';
    default:
      return Number.isInteger(v) && digits === undefined ? v.toLocaleString('en-US') : fixed(v, d);
  }
}

/**
 * The one way a metric value becomes text. Null/undefined → "—" (the reader shows the reason beside
 * it, from the result's null_reasons); NaN/±∞ never reach a result and are shown as "—" / "∞".
 */
export function formatMetric(key: string, value: unknown, opts: FormatOptions = {}): string {
  const def = metricDef(key);
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '—';
    if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
    return formatUnit(def.unit === 'interval' ? (def.intervalOf ?? 'number') : def.unit, value, def.digits, opts);
  }
  if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === 'number')) {
    const inner = def.unit === 'interval' ? (def.intervalOf ?? 'number') : def.unit;
    return `[${formatUnit(inner, value[0], def.digits, opts)}, ${formatUnit(inner, value[1], def.digits, opts)}]`;
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const lo = o.lower ?? o.low ?? o.lo;
    const hi = o.upper ?? o.high ?? o.hi;
    if (typeof lo === 'number' && typeof hi === 'number') return formatMetric(key, [lo, hi], opts);
    return JSON.stringify(value);
  }
  return String(value);
}

/**
 * The entries a table shows, in catalogue order then the rest: aliases dropped when their target is
 * present (avg_holding_period next to avg_holding_period_hours), non-scalar values left out.
 */
export function displayEntries(values: Record<string, unknown> | null | undefined): [string, unknown][] {
  if (!values) return [];
  const keys = Object.keys(values).filter((k) => {
    const v = values[k];
    if (v !== null && typeof v === 'object' && !(Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))) {
      const o = v as Record<string, unknown>;
      if (!('lower' in o || 'low' in o)) return false;
    }
    const d = METRICS[leaf(k)];
    if (d?.aliasOf) {
      const prefix = k.includes('.') ? k.slice(0, k.lastIndexOf('.') + 1) : '';
      if (`${prefix}${d.aliasOf}` in values) return false;
    }
    return true;
  });
  const order = new Map(defs.map((d, i) => [d.key, i]));
  const rank = (k: string) => order.get(leaf(k)) ?? defs.length;
  return keys.sort((a, b) => rank(a) - rank(b)).map((k) => [k, values[k]]);
}
