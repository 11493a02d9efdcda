// What trading cost a backtest, split by kind, in the instrument's currency (the account currency is
// taken to be the quote currency: no conversion). gross_pnl is the PnL before ANY cost (at raw prices:
// bar opens / the last close); spread and slippage are inside the trades' fill prices, commission is
// charged beside them, and net_pnl = gross − commission − spread − slippage = Σ trade net PnL.
import type { Trade } from './types';

export interface CostBreakdown {
  gross_pnl: number;
  commission: number;
  spread_cost: number;
  slippage_cost: number;
  net_pnl: number;
  currency: string;
  /** Which layers set the costs, e.g. "fx:EURUSD", "equity:default+strategy", "fx:EURUSD+legacy_fraction". */
  model: string;
}

export function costBreakdown(trades: readonly Trade[], currency: string, model: string): CostBreakdown {
  let commission = 0;
  let spread = 0;
  let slippage = 0;
  let net = 0;
  for (const t of trades) {
    commission += t.commission;
    spread += t.spread_cost;
    slippage += t.slippage;
    net += t.net_pnl;
  }
  return { gross_pnl: net + commission + spread + slippage, commission, spread_cost: spread, slippage_cost: slippage, net_pnl: net, currency, model };
}
