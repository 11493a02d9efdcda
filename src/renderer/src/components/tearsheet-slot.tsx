// Mount point for the tearsheet (issue 27, desk): rolling Sharpe, underwater curve, monthly heatmap,
// top drawdowns. BacktestResults renders BACKTEST_TEARSHEET under the results when it is set, with
// the parsed result, the equity curve and the trades; replace `null` with the component.
import type { ComponentType } from 'react';
import type { BacktestResult, BacktestTrade } from '../../../shared/results/backtest';
import type { EquityCurve } from '../lib/shapes';

export interface TearsheetProps {
  result: BacktestResult;
  equity: EquityCurve;
  trades: readonly BacktestTrade[];
}

export const BACKTEST_TEARSHEET: ComponentType<TearsheetProps> | null = null;
