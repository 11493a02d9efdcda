// One self-contained HTML page describing a finished backtest, for a quant to keep: inline CSS and
// inline SVG only (no script, no external URL), so it opens offline. Pure: the route reads the
// operation's results, trades, equity curve and the model manifest and hands them over.
// Optional result blocks (costs, benchmark, in-sample guard, warnings, significance) are printed
// when present and skipped quietly when not.
import { downsampleIndices } from '../backtest/downsample';
import { describeSignificance, type Significance } from '../../shared/significance';
import { escapeHtml as e } from './escape';
import { describeMetric, formatMetricValue } from './metric-definitions';
import { monthlyReturns, yearlyFromMonthly } from './monthly';
import { histogram, lineChart, scatter } from './svg';
import { tearsheetSection } from './tearsheet-section';

export interface BacktestReportInput {
  backtest_id: string;
  /** ISO time the report was made. */
  generated_at: string;
  /** The operation's results (src/worker/jobs/backtest.ts). */
  results: Record<string, unknown>;
  trades: readonly Record<string, unknown>[];
  equity: { time: readonly number[]; values: readonly number[]; drawdowns: readonly number[]; initial_capital: number };
  /** The model's manifest (metadata.json), when it can still be read. */
  manifest: Record<string, unknown> | null;
}

const MAX_CHART_POINTS = 1500;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const pct = (v: number, d = 2) => `${(v * 100).toFixed(d)} %`;
const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const METRIC_KEYS = [
  'total_return',
  'total_return_pct',
  'annualized_return',
  'volatility',
  'sharpe_ratio',
  'sortino_ratio',
  'calmar_ratio',
  'max_drawdown',
  'max_drawdown_pct',
  'recovery_factor',
  'final_equity',
  'exposure',
  'total_trades',
  'win_rate',
  'profit_factor',
  'avg_win',
  'avg_loss',
  'largest_win',
  'largest_loss',
  'avg_holding_period_bars',
  'avg_holding_period_hours',
  'total_commission',
  'total_slippage',
  'bars',
  'bars_per_year',
  'years',
];

const SIGNIFICANCE_KEYS = ['return_percentile', 'p_value_return', 'sharpe_percentile', 'p_value_sharpe', 'random_return_p5', 'random_return_p50', 'random_return_p95'] as const;

function metricRow(key: string, value: unknown, currency: string | null): string {
  const d = describeMetric(key);
  return `<tr><th scope="row">${e(d.label)}</th><td class="num">${e(formatMetricValue(key, value, currency))}</td><td class="def">${e(d.definition)}</td></tr>`;
}

function kvTable(rows: [string, unknown][]): string {
  const body = rows
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(typeof v === 'object' ? JSON.stringify(v) : String(v))}</td></tr>`)
    .join('');
  return body ? `<table class="kv">${body}</table>` : '<p class="muted">Not recorded.</p>';
}

function warningsSection(r: Obj): string {
  const items: string[] = [];
  if (r.out_of_sample === false) {
    const bars = num(r.in_sample_bars);
    items.push(`In sample: ${bars !== null ? `${bars} bars` : 'part'} of the backtest range overlap the model’s training data; these results overstate what the model can do on unseen data.`);
  }
  const list = Array.isArray(r.warnings) ? r.warnings : [];
  for (const w of list) {
    const o = obj(w);
    const text = typeof w === 'string' ? w : (str(o?.message) ?? JSON.stringify(w));
    if (text && !items.includes(text)) items.push(text);
  }
  if (!items.length) return '';
  return `<section class="warnings"><h2>Warnings</h2><ul>${items.map((t) => `<li>${e(t)}</li>`).join('')}</ul></section>`;
}

function significanceSection(r: Obj, currency: string | null): string {
  const s = obj(r.significance) as (Significance & Obj) | null;
  const ci = Array.isArray(r.sharpe_ci95) && r.sharpe_ci95.length === 2 ? (r.sharpe_ci95 as number[]) : null;
  const method = obj(r.sharpe_ci_method);
  let html = '<section><h2>Is it better than chance?</h2>';
  if (s && num(s.random_runs)) {
    html += `<p class="muted">${e(`${s.random_runs} random-entry strategies (seed ${s.seed}) made the same number of trades with holding periods resampled from this strategy’s, the same long/short mix, sizing and costs, on the same bars, through the same engine.`)}</p>`;
    html += `<table class="metrics"><thead><tr><th>Statistic</th><th>Value</th><th>Definition</th></tr></thead><tbody>`;
    for (const k of SIGNIFICANCE_KEYS) html += metricRow(k, s[k], currency);
    html += '</tbody></table>';
  } else {
    html += '<p class="muted">No random-entry comparison was run for this backtest (random_runs = 0, or a backtest made before it existed).</p>';
  }
  if (ci) {
    const d = describeMetric('sharpe_ci95');
    const block = num(method?.mean_block_length);
    html += `<p><strong>${e(d.label)}:</strong> [${e(ci[0].toFixed(2))}, ${e(ci[1].toFixed(2))}]${block !== null ? ` <span class="muted">(mean block ${e(block.toFixed(1))} bars, ${e(String(method?.resamples ?? ''))} resamples)</span>` : ''}</p><p class="def">${e(d.definition)}</p>`;
  }
  return html + '</section>';
}

function metricsSection(r: Obj, currency: string | null): string {
  const m = obj(r.metrics) ?? {};
  const rows = METRIC_KEYS.filter((k) => k in m)
    .map((k) => metricRow(k, m[k], currency))
    .join('');
  return `<section><h2>Performance</h2><table class="metrics"><thead><tr><th>Metric</th><th>Value</th><th>Definition</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function chartsSection(eq: BacktestReportInput['equity']): string {
  const keep = downsampleIndices(eq.values, eq.drawdowns, MAX_CHART_POINTS);
  const time = keep.map((i) => eq.time[i]);
  const values = keep.map((i) => eq.values[i]);
  const dd = keep.map((i) => eq.drawdowns[i]);
  return (
    '<section><h2>Equity and drawdown</h2>' +
    lineChart({ time, values, cls: 'equity', label: 'Equity curve', fmt: (v) => money(v), baseline: eq.initial_capital }) +
    lineChart({ time, values: dd, cls: 'dd', label: 'Drawdown below the running peak', fmt: (v) => pct(v, 1), fill: true, invert: true, height: 160 }) +
    '</section>'
  );
}

function monthlySection(eq: BacktestReportInput['equity']): string {
  const months = monthlyReturns(eq.time, eq.values, eq.initial_capital);
  if (!months.length) return '';
  const years = yearlyFromMonthly(months);
  const byKey = new Map(months.map((m) => [`${m.year}-${m.month}`, m.return]));
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  let html = `<section><h2>Monthly returns</h2><table class="monthly"><thead><tr><th>Year</th>${names.map((n) => `<th>${n}</th>`).join('')}<th>Year</th></tr></thead><tbody>`;
  for (const [y, total] of years) {
    html += `<tr><th scope="row">${y}</th>`;
    for (let m = 1; m <= 12; m++) {
      const v = byKey.get(`${y}-${m}`);
      html += v === undefined ? '<td></td>' : `<td class="num ${v > 0 ? 'pos' : v < 0 ? 'neg' : ''}">${e(pct(v, 1))}</td>`;
    }
    html += `<td class="num ${total > 0 ? 'pos' : total < 0 ? 'neg' : ''}"><strong>${e(pct(total, 1))}</strong></td></tr>`;
  }
  return html + '</tbody></table><p class="def">A month’s return is its last equity ÷ the previous month’s last equity − 1 (UTC months); the year column compounds them.</p></section>';
}

function tradesSection(trades: BacktestReportInput['trades']): string {
  const rets = trades.map((t) => (num(t.pnl_percent) ?? 0) / 100);
  const pts = trades.map((t) => ({ x: num(t.max_adverse_excursion) ?? 0, y: num(t.max_favorable_excursion) ?? 0, win: (num(t.net_pnl) ?? 0) > 0 }));
  const mean = rets.length ? rets.reduce((a, b) => a + b, 0) / rets.length : 0;
  return (
    `<section><h2>Trades</h2><h3>Distribution of trade returns (${trades.length} ${trades.length === 1 ? 'trade' : 'trades'})</h3>` +
    histogram({ values: rets, label: 'Histogram of trade returns', fmt: (v) => pct(v, 2), marker: rets.length ? { value: mean, label: `mean ${pct(mean, 2)}` } : undefined }) +
    '<p class="def">Trade return = net PnL ÷ entry notional (pnl_percent).</p>' +
    '<h3>Maximum favourable vs adverse excursion</h3>' +
    scatter({ points: pts, label: 'MFE against MAE per trade', xLabel: 'MAE', yLabel: 'MFE', fmt: (v) => money(v) }) +
    '<p class="def">Per trade: the worst (MAE, x) and best (MFE, y) unrealised PnL while it was open, from the bars’ lows and highs, in money. Green: winners, red: losers.</p></section>'
  );
}

function costsSection(r: Obj, trades: BacktestReportInput['trades']): string {
  const c = obj(r.costs);
  const m = obj(r.metrics) ?? {};
  let rows: [string, number | null][];
  let currency: string | null = null;
  let note = '';
  if (c) {
    currency = str(c.currency);
    rows = [
      ['gross_pnl', num(c.gross_pnl)],
      ['commission', num(c.commission)],
      ['spread_cost', num(c.spread_cost)],
      ['slippage_cost', num(c.slippage_cost)],
      ['net_pnl', num(c.net_pnl)],
    ];
    const model = c.model;
    if (model !== undefined && model !== null) note = `Cost model: ${typeof model === 'string' ? model : JSON.stringify(model)}`;
  } else {
    // Older results: gross from the trades (fill prices, so slippage is already inside it).
    const gross = trades.reduce((a, t) => a + (num(t.gross_pnl) ?? 0), 0);
    rows = [
      ['gross_pnl', gross],
      ['commission', num(m.total_commission)],
      ['slippage_cost', num(m.total_slippage)],
      ['net_pnl', num(m.total_return)],
    ];
    note = 'Gross PnL here is at the fill prices (slippage included in it); the slippage line shows what it cost.';
  }
  const body = rows.map(([k, v]) => metricRow(k, v, currency)).join('');
  return `<section><h2>Costs</h2><table class="metrics"><tbody>${body}</tbody></table>${note ? `<p class="def">${e(note)}</p>` : ''}</section>`;
}

function benchmarkSection(r: Obj, currency: string | null): string {
  const b = obj(r.benchmark);
  if (!b) return '';
  const entries: [string, Obj][] = [];
  if (b.kind === 'buy_and_hold') entries.push(['Buy & hold (fully invested, no costs)', b]);
  else {
    const bh = obj(b.buy_and_hold);
    const em = obj(b.exposure_matched);
    if (bh) entries.push(['Buy & hold (fully invested)', bh]);
    if (em) entries.push(['Buy & hold at the strategy’s exposure', em]);
  }
  if (!entries.length) return '';
  const m = obj(r.metrics) ?? {};
  const keys = ['total_return_pct', 'annualized_return', 'sharpe_ratio', 'max_drawdown_pct', 'volatility'];
  let html = `<section><h2>Benchmarks</h2><table class="metrics"><thead><tr><th>Metric</th><th>Strategy</th>${entries.map(([n]) => `<th>${e(n)}</th>`).join('')}</tr></thead><tbody>`;
  for (const k of keys) {
    html += `<tr><th scope="row">${e(describeMetric(k).label)}</th><td class="num">${e(formatMetricValue(k, m[k], currency))}</td>${entries.map(([, o]) => `<td class="num">${e(formatMetricValue(k, o[k], currency))}</td>`).join('')}</tr>`;
  }
  return html + '</tbody></table></section>';
}

function provenanceSection(input: BacktestReportInput): string {
  const r = input.results;
  const cfg = obj(r.config) ?? {};
  const man = input.manifest;
  const data = obj(man?.data);
  const model = obj(man?.model);
  const range = obj(r.effective_range);
  const strategyRows: [string, unknown][] = [
    ['Strategy', r.strategy_name],
    ['Strategy version', man?.strategy_version],
    ['Strategy hash (sha256 of the YAML as trained)', man?.strategy_hash],
    ['Decisions', cfg.decisions],
  ];
  const modelRows: [string, unknown][] = [
    ['Model', r.model_path],
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
  const dataRows: [string, unknown][] = [
    ['Symbol / timeframe', `${r.symbol ?? ''} ${r.timeframe ?? ''}`],
    ['Requested range', cfg.start_date ? `${cfg.start_date} … ${cfg.end_date}` : null],
    ['Tested bars', range ? `${range.start} … ${range.end} (${range.bars} bars${range.clipped ? ', clipped to the data' : ''}; ${range.warmup_bars} warm-up bars before)` : null],
    ['Out of sample', typeof r.out_of_sample === 'boolean' ? (r.out_of_sample ? 'yes' : 'no') : null],
    ['In-sample bars', r.in_sample_bars],
    ['Initial capital', cfg.initial_capital],
    ['Position size', typeof cfg.position_size === 'number' ? pct(cfg.position_size, 1) : null],
    ['Commission (per side)', typeof cfg.commission === 'number' ? pct(cfg.commission, 3) : null],
    ['Slippage (per side)', typeof cfg.slippage === 'number' ? pct(cfg.slippage, 3) : null],
    ['Run time', typeof r.execution_time_seconds === 'number' ? `${r.execution_time_seconds.toFixed(2)} s` : null],
  ];
  return (
    '<section><h2>Provenance</h2><div class="cols">' +
    `<div><h3>Strategy</h3>${kvTable(strategyRows)}</div>` +
    `<div><h3>Model</h3>${man ? kvTable(modelRows) : `${kvTable([['Model', r.model_path]])}<p class="muted">The model’s manifest could not be read (model deleted?).</p>`}</div>` +
    `<div><h3>Data and settings</h3>${kvTable(dataRows)}</div>` +
    '</div></section>'
  );
}

const CSS = `
:root{--fg:#1d2329;--muted:#66707a;--line:#d9dee3;--pos:#1a7f37;--neg:#c62828;--accent:#1f5fbf;--bg:#fff}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:960px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:28px 0 10px}h3{font-size:14px;margin:14px 0 6px}
.muted,.def{color:var(--muted)}.def{font-size:12px}table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}table.metrics td.def{width:55%}table.kv th{width:42%;font-weight:500;color:var(--muted)}table.kv td{word-break:break-all}
table.monthly th,table.monthly td{padding:3px 5px;font-size:12px;text-align:right}.pos{color:var(--pos)}.neg{color:var(--neg)}
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
  const currency = str(obj(r.costs)?.currency);
  const title = `Backtest ${r.strategy_name ?? ''} · ${r.symbol ?? ''} ${r.timeframe ?? ''}`;
  const m = obj(r.metrics) ?? {};
  const sig = obj(r.significance) as Significance | null;
  const headline = [
    `Return ${formatMetricValue('total_return_pct', m.total_return_pct)}`,
    `Sharpe ${formatMetricValue('sharpe_ratio', m.sharpe_ratio)}`,
    `Max drawdown ${formatMetricValue('max_drawdown_pct', m.max_drawdown_pct)}`,
    `${formatMetricValue('total_trades', m.total_trades)} ${m.total_trades === 1 ? 'trade' : 'trades'}`,
  ].join(' · ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(title)}</title><style>${CSS}</style></head><body>
<header><h1>${e(title)}</h1><p class="muted">${e(`${r.start_time ?? ''} … ${r.end_time ?? ''} · backtest ${input.backtest_id} · report made ${input.generated_at}`)}</p>
<p><strong>${e(headline)}</strong></p>${sig && sig.random_runs ? `<p class="verdict">${e(describeSignificance(sig))}</p>` : ''}</header>
${warningsSection(r)}
${significanceSection(r, currency)}
${metricsSection(r, currency)}
${chartsSection(input.equity)}
${monthlySection(input.equity)}
${tearsheetSection(input.equity, num(m.bars_per_year))}
${tradesSection(input.trades)}
${costsSection(r, input.trades)}
${benchmarkSection(r, currency)}
${provenanceSection(input)}
<footer><p>Percentile: share of random-entry runs below the strategy, ties counted half. p-value: (1 + number of random runs at least as good) ÷ (runs + 1), so it is never 0 and is exact under the hypothesis that the strategy’s timing is no better than random. Made by KTRDR Workstation; this file needs no network.</p></footer>
</body></html>
`;
}
