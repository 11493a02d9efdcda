// The portfolio part of the backtest report and its CSV (issue 26): the legs (PnL, costs,
// contribution, exposure, out of sample, model), the correlation of their contributions, each leg's
// PnL curve, and the sizing that made them. Empty for a single-symbol backtest, so the report's hook
// is one line. Pure; the numbers come from the results and equity.json the portfolio job writes.
import { downsampleIndices } from '../backtest/downsample';
import { toCsv, type CsvValue } from './csv';
import { escapeHtml as e } from './escape';
import { lineChart } from './svg';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const pct = (v: unknown) => (num(v) === null ? '—' : `${((v as number) * 100).toFixed(2)} %`);
const money = (v: unknown) => (num(v) === null ? '—' : (v as number).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

export interface LegCurve {
  symbol: string;
  time: readonly number[];
  value: readonly number[];
}

const MAX_LEG_CHART_POINTS = 600;
const MAX_LEG_CHARTS = 12;

/** One row per leg: what the CSV and the report's table show (the same numbers). */
export const LEG_CSV_COLUMNS = [
  'symbol',
  'trades',
  'winning_trades',
  'gross_pnl',
  'commission',
  'spread_cost',
  'slippage_cost',
  'net_pnl',
  'contribution',
  'share_of_pnl',
  'exposure',
  'time_in_market',
  'rebalance_fills',
  'out_of_sample',
  'in_sample_bars',
  'bars',
  'first_bar',
  'last_bar',
  'model_path',
] as const;

function legRow(l: Obj): CsvValue[] {
  const c = obj(l.costs) ?? {};
  const pick: Record<string, unknown> = { ...l, gross_pnl: c.gross_pnl, commission: c.commission, spread_cost: c.spread_cost, slippage_cost: c.slippage_cost, net_pnl: c.net_pnl };
  return LEG_CSV_COLUMNS.map((k) => pick[k] as CsvValue);
}

export function isPortfolio(results: Obj): boolean {
  return results.kind === 'portfolio' && Array.isArray(results.legs);
}

/** The legs of a portfolio backtest as CSV (the report's legs table, one row per leg). */
export function legsCsv(results: Obj): string {
  const legs = Array.isArray(results.legs) ? (results.legs as Obj[]) : [];
  return toCsv(LEG_CSV_COLUMNS, legs.map(legRow));
}

function legsTable(legs: Obj[], currency: string | null): string {
  const unit = currency ? ` (${e(currency)})` : '';
  const rows = legs
    .map((l) => {
      const c = obj(l.costs) ?? {};
      const oos = l.out_of_sample === false ? `<span class="neg">in sample (${e(String(l.in_sample_bars ?? '?'))} bars)</span>` : 'yes';
      return (
        `<tr><th scope="row">${e(String(l.symbol))}</th><td class="num">${e(String(l.trades ?? '—'))}</td><td class="num">${money(c.net_pnl)}</td>` +
        `<td class="num">${money(c.commission)}</td><td class="num">${money(c.spread_cost)}</td><td class="num">${money(c.slippage_cost)}</td>` +
        `<td class="num">${pct(l.contribution)}</td><td class="num">${pct(l.exposure)}</td><td class="num">${pct(l.time_in_market)}</td><td>${oos}</td><td>${e(String(l.model_path ?? ''))}</td></tr>`
      );
    })
    .join('');
  return (
    `<table class="metrics"><thead><tr><th>Leg</th><th>Trades</th><th>Net PnL${unit}</th><th>Commission</th><th>Spread</th><th>Slippage</th>` +
    `<th>Contribution</th><th>Avg exposure</th><th>Time in market</th><th>Out of sample</th><th>Model</th></tr></thead><tbody>${rows}</tbody></table>` +
    '<p class="def">Contribution: the leg’s net PnL ÷ initial capital (the legs add up to the total return). Avg exposure: mean over the portfolio’s steps of |position value| ÷ equity.</p>'
  );
}

function correlationTable(c: Obj | null): string {
  const symbols = Array.isArray(c?.symbols) ? (c!.symbols as string[]) : [];
  const matrix = Array.isArray(c?.matrix) ? (c!.matrix as (number | null)[][]) : null;
  if (!matrix) {
    const why = Object.values(obj(c?.null_reasons) ?? {})[0];
    return `<p class="muted">${e(typeof why === 'string' ? why : 'Not computed.')}</p>`;
  }
  const head = symbols.map((s) => `<th>${e(s)}</th>`).join('');
  const body = matrix.map((row, i) => `<tr><th scope="row">${e(symbols[i])}</th>${row.map((v) => `<td class="num">${v === null ? '—' : e(v.toFixed(2))}</td>`).join('')}</tr>`).join('');
  return `<table class="metrics"><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table><p class="def">Pearson correlation of the legs’ per-step contributions (change of the leg’s value ÷ equity); — where a leg never moved.</p>`;
}

function legCharts(curves: readonly LegCurve[]): string {
  return curves
    .slice(0, MAX_LEG_CHARTS)
    .map((c) => {
      const keep = downsampleIndices(c.value, new Float64Array(c.value.length), MAX_LEG_CHART_POINTS);
      return lineChart({ time: keep.map((i) => c.time[i]), values: keep.map((i) => c.value[i]), cls: 'equity', label: `${c.symbol}: PnL so far (cash flows + position at each close)`, fmt: (v) => money(v), baseline: 0, height: 140 });
    })
    .join('');
}

/** The report's portfolio section ('' for a single-symbol backtest). */
export function portfolioSection(results: Obj, equity: { legs?: unknown }): string {
  if (!isPortfolio(results)) return '';
  const legs = results.legs as Obj[];
  const cfg = obj(results.config) ?? {};
  const currency = typeof cfg.account_currency === 'string' ? cfg.account_currency : null;
  const curves = (Array.isArray(equity.legs) ? equity.legs : []) as LegCurve[];
  const sizing = obj(cfg.sizing);
  const settings = [
    `sizing ${e(JSON.stringify(sizing ?? {}))}`,
    `max gross exposure ${e(String(cfg.max_gross_exposure ?? '—'))} × equity`,
    `rebalancing ${e(String(cfg.rebalance ?? 'none'))}`,
    `average gross exposure ${pct(results.average_gross_exposure)}`,
  ].join(' · ');
  return (
    `<section><h2>Portfolio: ${legs.length} legs, one cash account${currency ? ` in ${e(currency)}` : ''}</h2><p class="muted">${settings}</p>` +
    legsTable(legs, currency) +
    '<h3>Correlation of the legs</h3>' +
    correlationTable(obj(results.correlation)) +
    (curves.length ? `<h3>Each leg’s PnL</h3>${legCharts(curves)}${curves.length > MAX_LEG_CHARTS ? `<p class="muted">First ${MAX_LEG_CHARTS} of ${curves.length} legs.</p>` : ''}` : '') +
    '</section>'
  );
}
