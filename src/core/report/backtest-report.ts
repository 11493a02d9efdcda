// One self-contained HTML page describing a finished backtest (one symbol or a portfolio), for a quant
// to keep: inline CSS and inline SVG only (no script, no external URL), so it opens offline. Pure: the
// route reads the operation's results (parsed by the result contract), trades, equity curve and the
// model manifest.
// Every metric comes from the shared presenter (src/shared/results/present.ts), so the report shows
// the same labels, units, precision and null reasons as the app, the CLI and the MCP server.
import { downsampleIndices } from '../backtest/downsample';
import { escapeHtml as e } from '../../common/escape';
import { lineChart } from '../../common/svg-charts';
import { EXCURSION_NOTE, exitReasonsHtml, TRADE_RETURN_NOTE, tradeChartsHtml } from '../../common/trade-charts';
import { formatMetric } from '../../shared/metrics-catalog';
import type { BacktestEquityDoc, BacktestResult, BacktestTrade } from '../../shared/results/backtest';
import type { PortfolioResult } from '../../shared/results/portfolio';
import { backtestCurrency, presentBacktest, presentPortfolio, type MetricCell, type ResultSection } from '../../shared/results/present';
import { significanceVerdict } from '../../shared/significance';
import { tearsheetSection } from './tearsheet-section';
import { portfolioSection } from './portfolio-section';

/** A single-symbol backtest or a portfolio (a `backtesting` operation either way). */
export type AnyBacktestResult = BacktestResult | PortfolioResult;

export function isPortfolio(r: AnyBacktestResult): r is PortfolioResult {
  return 'kind' in r && r.kind === 'portfolio';
}

export interface BacktestReportInput {
  backtest_id: string;
  /** ISO time the report was made. */
  generated_at: string;
  /** The operation's results, parsed by the contract (src/shared/results/backtest.ts, portfolio.ts). */
  results: AnyBacktestResult;
  trades: readonly BacktestTrade[];
  equity: Pick<BacktestEquityDoc, 'time' | 'values' | 'drawdowns' | 'initial_capital' | 'gross_exposure' | 'legs'>;
  /** The model's manifest (metadata.json), when it can still be read. */
  manifest: Record<string, unknown> | null;
}

const MAX_CHART_POINTS = 1500;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const pct = (v: number, d = 2) => formatMetric('total_return_pct', v, { digits: d });

function kvTable(rows: [string, unknown][]): string {
  const body = rows
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`)
    .join('');
  return body ? `<table class="kv">${body}</table>` : '<p class="muted">Not recorded.</p>';
}

/** A value, or "—" with the reason it is undefined. */
function cellHtml(c: MetricCell): string {
  return `<td class="num">${e(c.text)}${c.reason ? `<span class="reason">${e(c.reason)}</span>` : ''}</td>`;
}

/** One presenter section as a table: label, value(s), definition. */
export function sectionHtml(s: ResultSection): string {
  const cols = s.columns.length ? s.columns : ['Value'];
  let html = `<section data-section="${e(s.id)}"><h2>${e(s.title)}</h2><table class="metrics"><thead><tr><th>Metric</th>${cols.map((c) => `<th>${e(c)}</th>`).join('')}<th>Definition</th></tr></thead><tbody>`;
  for (const r of s.rows) html += `<tr data-key="${e(r.key)}"><th scope="row">${e(r.label)}</th>${r.cells.map(cellHtml).join('')}<td class="def">${e(r.definition)}</td></tr>`;
  html += '</tbody></table>';
  return html + (s.note ? `<p class="def">${e(s.note)}</p>` : '') + '</section>';
}

function warningsSection(r: AnyBacktestResult): string {
  const items: string[] = [];
  if (r.out_of_sample === false) items.push(`In sample: ${r.in_sample_bars ?? 'some'} bars of the backtest range overlap the model’s training data; these results overstate what the model can do on unseen data.`);
  if (r.out_of_sample === null) items.push(`In-sample check unknown: ${r.null_reasons.out_of_sample ?? 'not recorded'}.`);
  for (const w of r.warnings) if (!items.includes(w)) items.push(w);
  if (!items.length) return '';
  return `<section class="warnings"><h2>Warnings</h2><ul>${items.map((t) => `<li>${e(t)}</li>`).join('')}</ul></section>`;
}

function significanceIntro(r: AnyBacktestResult): string {
  const s = r.significance;
  const method = r.sharpe_ci_method;
  const parts: string[] = [];
  if (s && isPortfolio(r)) parts.push(`${s.random_runs} random-entry portfolios (seed ${s.seed}) made on every leg the same number of trades with holding periods resampled from that leg’s, the same long/short mix, and ran all legs together through the same book: sizing, exposure cap, rebalancing and costs unchanged.`);
  else if (s) parts.push(`${s.random_runs} random-entry strategies (seed ${s.seed}) made the same number of trades with holding periods resampled from this strategy’s, the same long/short mix, sizing and costs, on the same bars, through the same engine.`);
  if (method) parts.push(`Sharpe interval: stationary bootstrap, mean block ${method.mean_block_length.toFixed(1)} bars, ${method.resamples} resamples.`);
  return parts.length ? `<p class="muted">${e(parts.join(' '))}</p>` : '';
}

function chartsSection(eq: BacktestReportInput['equity'], currency: string): string {
  const keep = downsampleIndices(eq.values, eq.drawdowns, MAX_CHART_POINTS);
  const time = keep.map((i) => eq.time[i]);
  const values = keep.map((i) => eq.values[i]);
  const dd = keep.map((i) => eq.drawdowns[i]);
  return (
    '<section><h2>Equity and drawdown</h2>' +
    lineChart({ time, values, cls: 'equity', label: 'Equity curve', fmt: (v) => formatMetric('final_equity', v, { currency }), baseline: eq.initial_capital }) +
    lineChart({ time, values: dd, cls: 'dd', label: 'Drawdown below the running peak', fmt: (v) => pct(v, 1), fill: true, invert: true, height: 160 }) +
    '</section>'
  );
}

function tradesSection(trades: readonly BacktestTrade[], currency: string): string {
  const charts = tradeChartsHtml(trades, currency);
  const reasons = exitReasonsHtml(trades, currency);
  return (
    `<section><h2>Trades</h2><h3>Distribution of trade returns (${trades.length} ${trades.length === 1 ? 'trade' : 'trades'})</h3>` +
    charts.histogram +
    `<p class="def">${e(TRADE_RETURN_NOTE)}</p>` +
    '<h3>Maximum favourable vs adverse excursion</h3>' +
    charts.excursions +
    `<p class="def">${e(EXCURSION_NOTE)}</p>` +
    (reasons ? `<h3>Exit reasons</h3>${reasons}` : '') +
    '</section>'
  );
}

/** What was tested, on which bars and with which costs: a single backtest's or a portfolio's. */
function dataRows(r: AnyBacktestResult): [string, unknown][] {
  const cfg = r.config;
  if (isPortfolio(r)) {
    const range = r.effective_range;
    return [
      ['Symbols / timeframe', `${r.symbols.join(', ')} ${r.timeframe}`],
      ['Requested range', `${cfg.start_date} … ${cfg.end_date}`],
      ['Tested steps', `${range.start} … ${range.end} (${range.steps} steps${range.clipped ? ', a leg clipped to its data' : ''})`],
      ['Cost models', r.config.legs.map((l) => `${l.symbol}: ${l.costs.model}`).join(', ') + ` (${r.config.account_currency})`],
    ];
  }
  const range = r.effective_range;
  return [
    ['Symbol / timeframe', `${r.symbol} ${r.timeframe}`],
    ['Requested range', cfg.start_date ? `${cfg.start_date} … ${cfg.end_date}` : null],
    ['Tested bars', range ? `${range.start} … ${range.end} (${range.bars} bars${range.clipped ? ', clipped to the data' : ''}; ${range.warmup_bars} warm-up bars before)` : null],
    ['Cost model', `${r.config.costs.model} (${r.config.costs.currency})`],
  ];
}

function provenanceSection(input: BacktestReportInput): string {
  const r = input.results;
  const man = input.manifest;
  const data = obj(man?.data);
  const model = obj(man?.model);
  const modelName = r.model_path ?? (isPortfolio(r) ? Object.entries(r.model_paths).map(([s, m]) => `${s}: ${m}`).join(', ') : null);
  const strategyRows: [string, unknown][] = [
    ['Strategy', r.strategy_name],
    ['Strategy version', man?.strategy_version],
    ['Strategy hash (sha256 of the YAML as trained)', man?.strategy_hash],
    ['Decisions', isPortfolio(r) ? r.config.legs[0].decisions : r.config.decisions],
  ];
  const modelRows: [string, unknown][] = [
    ['Model', modelName],
    ['Model version', man?.version],
    ['Trained at', man?.created_at],
    ['Architecture', model?.architecture ?? model?.type],
    ['Parameters', model?.parameters_count],
    ['Features', Array.isArray(man?.features) ? (man!.features as unknown[]).length : null],
    ['Training seed', man?.seed],
    ['Training symbols', Array.isArray(man?.symbols) ? (man!.symbols as unknown[]).join(', ') : null],
    ['Training timeframes', Array.isArray(man?.timeframes) ? (man!.timeframes as unknown[]).join(', ') : null],
    ['Training data', data ? `${data.start_date ?? '?'} … ${data.end_date ?? '?'}` : null],
    ['Training samples (train / validation / test)', obj(data?.samples) ? `${obj(data!.samples)!.train} / ${obj(data!.samples)!.validation} / ${obj(data!.samples)!.test}` : null],
    ['Training data hash (sha256)', data?.content_hash],
    ['Backend', obj(man?.backend)?.name],
    ['Libraries', man?.library_versions],
    ['Inference', r.inference ? `${r.inference}${r.inference_backend ? ` on ${r.inference_backend}` : ''}` : null],
  ];
  return (
    '<section><h2>Provenance</h2><div class="cols">' +
    `<div><h3>Strategy</h3>${kvTable(strategyRows)}</div>` +
    `<div><h3>Model</h3>${man ? kvTable(modelRows) : `${kvTable([['Model', modelName]])}<p class="muted">The model’s manifest could not be read (model deleted?).</p>`}</div>` +
    `<div><h3>Data and settings</h3>${kvTable(dataRows(r))}</div>` +
    '</div></section>'
  );
}

const CSS = `
:root{--fg:#1d2329;--muted:#66707a;--line:#d9dee3;--pos:#1a7f37;--neg:#c62828;--accent:#1f5fbf;--bg:#fff}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:960px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:28px 0 10px}h3{font-size:14px;margin:14px 0 6px}
.muted,.def{color:var(--muted)}.def{font-size:12px}.reason{display:block;font-size:11px;color:var(--muted);white-space:normal}table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}table.metrics td.def{width:55%}table.kv th{width:42%;font-weight:500;color:var(--muted)}table.kv td{word-break:break-all}
.pos{color:var(--pos)}.neg{color:var(--neg)}
.warnings{border:1px solid #e0a800;background:#fff8e1;padding:4px 16px;border-radius:6px}.warnings h2{border:0}
.verdict{font-size:16px;font-weight:600;background:#eef3fb;border-left:4px solid var(--accent);padding:8px 12px}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
svg.chart{display:block;margin:6px 0;font-size:11px;fill:var(--muted)}svg .grid{stroke:#eceff2}svg .base{stroke:#9aa3ab;stroke-dasharray:3 3}
svg .equity{stroke:var(--accent);stroke-width:1.5}svg .dd{stroke:var(--neg);stroke-width:1}svg .dd-fill{fill:rgba(198,40,40,.18)}
svg rect.pos,svg circle.pos{fill:rgba(26,127,55,.7)}svg rect.neg,svg circle.neg{fill:rgba(198,40,40,.7)}svg .marker{stroke:var(--fg);stroke-dasharray:4 2}
footer{margin-top:32px;font-size:12px;color:var(--muted)}
@media print{body{max-width:none}}`;

/** The whole report as one HTML document. */
export function renderBacktestReport(input: BacktestReportInput): string {
  const r = input.results;
  const currency = backtestCurrency(r);
  const sections = isPortfolio(r) ? presentPortfolio(r) : presentBacktest(r);
  const byId = new Map(sections.map((x) => [x.id, x]));
  const title = isPortfolio(r) ? `Portfolio backtest ${r.strategy_name} · ${r.symbols.join(', ')} ${r.timeframe}` : `Backtest ${r.strategy_name} · ${r.symbol} ${r.timeframe}`;
  const m = r.metrics;
  const headline = [
    `Return ${formatMetric('total_return_pct', m.total_return_pct)}`,
    `Sharpe ${formatMetric('sharpe_ratio', m.sharpe_ratio)}`,
    `Max drawdown ${formatMetric('max_drawdown_pct', m.max_drawdown_pct)}`,
    `${formatMetric('total_trades', m.total_trades)} ${m.total_trades === 1 ? 'trade' : 'trades'}`,
  ].join(' · ');
  const section = (id: string) => {
    const s = byId.get(id);
    return s ? sectionHtml(s) : '';
  };
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(title)}</title><style>${CSS}</style></head><body>
<header><h1>${e(title)}</h1><p class="muted">${e(`${r.start_time} … ${r.end_time} · backtest ${input.backtest_id} · report made ${input.generated_at} · money in ${currency}`)}</p>
<p><strong>${e(headline)}</strong></p><p class="verdict">${e(significanceVerdict(r.significance, r.null_reasons.significance))}</p></header>
${warningsSection(r)}
${significanceIntro(r)}${section('significance')}
${section('performance')}
${section('trades')}
${isPortfolio(r) ? portfolioSection(r, input.equity, section) : ''}
${chartsSection(input.equity, currency)}
${tearsheetSection(input.equity, m.bars_per_year)}
${tradesSection(input.trades, currency)}
${section('costs')}
${section('benchmark')}
${section('data')}
${section('settings')}
${provenanceSection(input)}
<footer><p>Percentile: share of random-entry runs below the strategy, ties counted half. p-value: (1 + number of random runs at least as good) ÷ (runs + 1), so it is never 0 and is exact under the hypothesis that the strategy’s timing is no better than random. “—” marks a value that is undefined, with the reason beside it. Made by KTRDR Workstation; this file needs no network.</p></footer>
</body></html>
`;
}
