// The portfolio part of the backtest report and the legs CSV (issue 26). The numbers are the shared
// presenter's (src/shared/results/present.ts presentPortfolio: the legs and correlation sections), so
// the report, the CSV, the app, the CLI and the MCP server show the same values; this module adds what
// only a page has room for: the sizing in words, the gross exposure over time and each leg's PnL curve.
// Pure; the curves come from the equity.json the portfolio job writes.
import { downsampleIndices } from '../backtest/downsample';
import { escapeHtml as e } from '../../common/escape';
import { lineChart } from '../../common/svg-charts';
import { formatMetric } from '../../shared/metrics-catalog';
import type { BacktestEquityDoc } from '../../shared/results/backtest';
import type { PortfolioResult } from '../../shared/results/portfolio';
import { presentPortfolio, sizingText, type ResultSection } from '../../shared/results/present';
import { toCsv, type CsvValue } from './csv';

const MAX_LEG_CHART_POINTS = 600;
export const MAX_LEG_CHARTS = 12;

/** The presenter's legs section of a portfolio result. */
export function legsSection(r: PortfolioResult): ResultSection {
  const s = presentPortfolio(r).find((x) => x.id === 'legs');
  if (!s) throw new Error('the portfolio presenter has no legs section');
  return s;
}

/**
 * The legs as CSV, one row per leg: the presenter's leg metrics at full precision (as stored in the
 * JSON; empty when undefined), the first and last bar, and why each empty value is undefined.
 */
export function legsCsv(r: PortfolioResult): string {
  const s = legsSection(r);
  const columns = ['symbol', 'first_bar', 'last_bar', ...s.rows.map((x) => x.key), 'null_reasons'];
  const rows = r.legs.map((leg, i): CsvValue[] => {
    const why = s.rows.flatMap((x) => (x.cells[i].reason ? [`${x.key}: ${x.cells[i].reason}`] : []));
    const values = s.rows.map((x): CsvValue => {
      const v = x.cells[i].value;
      return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : null;
    });
    return [leg.symbol, leg.first_bar, leg.last_bar, ...values, why.join('; ')];
  });
  return toCsv(columns, rows);
}

/** Sizing, cap and rebalancing in one line. */
export function portfolioSettingsText(r: PortfolioResult): string {
  const c = r.config;
  return [
    `sizing: ${sizingText(c.sizing)}`,
    `max gross exposure ${formatMetric('max_gross_exposure', c.max_gross_exposure)} × equity`,
    `rebalancing: ${c.rebalance ?? 'none'}`,
    `average gross exposure ${formatMetric('average_gross_exposure', r.average_gross_exposure)}`,
  ].join(' · ');
}

type Equity = Pick<BacktestEquityDoc, 'time' | 'gross_exposure' | 'legs'>;

function grossExposureChart(eq: Equity): string {
  const g = eq.gross_exposure;
  if (!g?.length) return '';
  // Steps where it is undefined (equity ≤ 0: null in equity.json, the reason beside it) are left out of the line.
  const defined = g.flatMap((v, i) => (v === null ? [] : [i]));
  const values = defined.map((i) => g[i]!);
  const keep = downsampleIndices(values, new Float64Array(values.length), MAX_LEG_CHART_POINTS * 2);
  return (
    '<h3>Gross exposure</h3>' +
    lineChart({ time: keep.map((k) => eq.time[defined[k]]), values: keep.map((k) => values[k]), cls: 'equity', label: 'Σ |position value| ÷ equity at each step', fmt: (v) => formatMetric('average_gross_exposure', v), baseline: 1, height: 140 }) +
    (defined.length < g.length ? `<p class="muted">${e(`${g.length - defined.length} steps left out: equity was 0 or below with positions open.`)}</p>` : '')
  );
}

function legCharts(eq: Equity, currency: string): string {
  const curves = eq.legs ?? [];
  if (!curves.length) return '';
  const charts = curves
    .slice(0, MAX_LEG_CHARTS)
    .map((c) => {
      const keep = downsampleIndices(c.value, new Float64Array(c.value.length), MAX_LEG_CHART_POINTS);
      return lineChart({ time: keep.map((i) => c.time[i]), values: keep.map((i) => c.value[i]), cls: 'equity', label: `${c.symbol}: PnL so far (cash flows + position at each close)`, fmt: (v) => formatMetric('net_pnl', v, { currency }), baseline: 0, height: 140 });
    })
    .join('');
  return `<h3>Each leg’s PnL</h3>${charts}${curves.length > MAX_LEG_CHARTS ? `<p class="muted">First ${MAX_LEG_CHARTS} of ${curves.length} legs.</p>` : ''}`;
}

/** The report's portfolio section: heading, settings, the presenter's legs and correlation tables (rendered by `sectionHtml`), the curves. */
export function portfolioSection(r: PortfolioResult, eq: Equity, sectionHtml: (id: string) => string): string {
  const currency = r.config.account_currency;
  return (
    `<section data-section="portfolio"><h2>Portfolio: ${r.legs.length} legs, one cash account in ${e(currency)}</h2><p class="muted">${e(portfolioSettingsText(r))}</p>` +
    sectionHtml('legs') +
    sectionHtml('correlation') +
    grossExposureChart(eq) +
    legCharts(eq, currency) +
    '</section>'
  );
}
