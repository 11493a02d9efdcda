// Reading the honest-evaluation parts of a backtest's results: the in-sample guard, the cost split
// and the like-for-like benchmarks (src/worker/jobs/backtest.ts writes them).
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface InSampleNotice {
  /** 'banner' when it must be seen; 'note' when the request acknowledged it (allow_in_sample). */
  level: 'banner' | 'note';
  text: string;
}

export function inSampleNotice(results: Obj | null): InSampleNotice | null {
  if (!results || results.out_of_sample !== false) return null;
  const bars = num(results.in_sample_bars) ?? 0;
  const total = num(results.equity_curve_length);
  const r = isObj(results.model_data_range) ? results.model_data_range : null;
  const range = r ? ` (${String(r.start).slice(0, 10)} .. ${String(r.end).slice(0, 10)})` : '';
  const text = `${bars}${total !== null ? ` of ${total}` : ''} bars lie inside the model's training data${range}: these results are not out of sample.`;
  return { level: results.allow_in_sample === true ? 'note' : 'banner', text };
}

export interface CostRow {
  label: string;
  value: number;
}

/** gross → commission, spread, slippage → net, in the account currency. */
export function costRows(results: Obj | null): { rows: CostRow[]; currency: string; model: string } | null {
  const c = results && isObj(results.costs) ? results.costs : null;
  if (!c) return null;
  const rows: CostRow[] = [];
  for (const [key, label, sign] of [
    ['gross_pnl', 'Gross PnL (before costs)', 1],
    ['commission', 'Commission', -1],
    ['spread_cost', 'Spread', -1],
    ['slippage_cost', 'Slippage', -1],
    ['net_pnl', 'Net PnL', 1],
  ] as const) {
    const v = num(c[key]);
    if (v !== null) rows.push({ label, value: sign * v + 0 }); // + 0: no "−0.00"
  }
  return { rows, currency: String(c.currency ?? ''), model: String(c.model ?? '') };
}

export interface BenchmarkColumn {
  label: string;
  values: Record<string, number | null>;
}

export const BENCHMARK_KEYS = ['exposure', 'total_return_pct', 'total_return', 'sharpe_ratio', 'max_drawdown_pct', 'final_equity'] as const;

/** Strategy vs buy & hold fully invested vs buy & hold at the strategy's exposure. */
export function benchmarkColumns(results: Obj | null): BenchmarkColumn[] {
  if (!results) return [];
  const m = isObj(results.metrics) ? results.metrics : {};
  const b = isObj(results.benchmark) ? results.benchmark : null;
  if (!b) return [];
  const pick = (o: Obj) => Object.fromEntries(BENCHMARK_KEYS.map((k) => [k, num(o[k])]));
  // Exposure here is the average fraction of equity invested (what the matched benchmark matches),
  // not metrics.exposure (the fraction of bars in the market).
  const matched = isObj(b.exposure_matched) ? b.exposure_matched : null;
  const cols: BenchmarkColumn[] = [{ label: 'Strategy', values: { ...pick(m), exposure: matched ? num(matched.exposure) : null } }];
  cols.push({ label: 'Buy & hold', values: pick(isObj(b.buy_and_hold) ? b.buy_and_hold : { ...b, exposure: 1 }) });
  if (matched) cols.push({ label: 'B&H at same exposure', values: pick(matched) });
  return cols;
}
