// Statistics of a finished backtest's equity curve and trades that the HTML report and the app both
// show (monthly returns, the trade-return histogram, exit reasons). Pure, in the common layer so both
// compute them with this one code.
//
// Monthly returns: a month's return is its last equity ÷ the previous month's last equity (the
// initial capital for the first month) − 1, months in UTC.

export interface MonthlyReturn {
  year: number;
  /** 1..12 */
  month: number;
  return: number;
}

export function monthlyReturns(time: ArrayLike<number>, values: ArrayLike<number>, initial: number): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  let prev = initial;
  for (let i = 0; i < time.length; i++) {
    const d = new Date(time[i]);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    const lastOfMonth = i + 1 === time.length || new Date(time[i + 1]).getUTCMonth() + 1 !== m || new Date(time[i + 1]).getUTCFullYear() !== y;
    if (!lastOfMonth) continue;
    out.push({ year: y, month: m, return: prev > 0 ? values[i] / prev - 1 : 0 });
    prev = values[i];
  }
  return out;
}

/** Compounded return of each year present in the monthly returns. */
export function yearlyFromMonthly(months: readonly MonthlyReturn[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of months) out.set(m.year, (1 + (out.get(m.year) ?? 0)) * (1 + m.return) - 1);
  return out;
}

export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

/** Equal-width bins over [min, max] of the finite values (at most `bins`, at most one per value). */
export function histogramBins(values: ArrayLike<number>, bins = 30, include: readonly number[] = []): HistogramBin[] {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (!finite.length) return [];
  let min = Math.min(...finite, ...include);
  let max = Math.max(...finite, ...include);
  if (min === max) {
    const pad = Math.abs(min) * 0.01 || 1;
    min -= pad;
    max += pad;
  }
  const k = Math.max(1, Math.min(bins, finite.length));
  const width = (max - min) / k;
  const out: HistogramBin[] = Array.from({ length: k }, (_, b) => ({ lo: min + b * width, hi: min + (b + 1) * width, count: 0 }));
  for (const v of finite) out[Math.min(k - 1, Math.max(0, Math.floor((v - min) / width)))].count++;
  return out;
}

export interface ExitReasonRow {
  reason: string;
  trades: number;
  /** Sum of the trades' net PnL, in the account currency. */
  net_pnl: number;
  winners: number;
}

/** Trades grouped by why they closed (signal, end of data…), most frequent first. */
export function exitReasons(trades: readonly { exit_reason: string; net_pnl: number }[]): ExitReasonRow[] {
  const by = new Map<string, ExitReasonRow>();
  for (const t of trades) {
    const row = by.get(t.exit_reason) ?? { reason: t.exit_reason, trades: 0, net_pnl: 0, winners: 0 };
    row.trades++;
    row.net_pnl += t.net_pnl;
    if (t.net_pnl > 0) row.winners++;
    by.set(t.exit_reason, row);
  }
  return [...by.values()].sort((a, b) => b.trades - a.trades || a.reason.localeCompare(b.reason));
}

/** A trade's return: net PnL ÷ entry notional (the trade's pnl_percent / 100). */
export function tradeReturn(t: { pnl_percent: number }): number {
  return t.pnl_percent / 100;
}
