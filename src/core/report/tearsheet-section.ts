// The tearsheet in the HTML report: rolling Sharpe, the underwater curve, the five worst drawdowns
// with their dates, and the monthly returns as a heatmap. The numbers are core/tearsheet's, the same
// the app draws (GET /backtests/{id}/tearsheet).
import { tearsheetPayload } from '../tearsheet/payload';
import { formatMetric } from '../../shared/metrics-catalog';
import { heatScale, heatShade, MONTH_NAMES, MONTHLY_RETURNS_NOTE, type TearsheetSeries } from '../../shared/tearsheet';
import { escapeHtml as e } from '../../common/escape';
import { lineChart } from '../../common/svg-charts';

const MAX_POINTS = 1500;
// Numbers as the metric catalogue writes them, like the rest of the report.
const pct = (v: number, d = 1) => formatMetric('total_return_pct', v, { digits: d });
const sharpe = (v: number) => formatMetric('sharpe_ratio', v);
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'not recovered');

/** Defined points of a series, times in ms (the report's charts take numbers). */
function points(s: TearsheetSeries): { time: number[]; values: number[] } {
  const time: number[] = [];
  const values: number[] = [];
  s.values.forEach((v, i) => {
    if (v === null) return;
    time.push(Date.parse(s.time[i]));
    values.push(v);
  });
  return { time, values };
}

const HEAT_RGB = { pos: '26,127,55', neg: '198,40,40' };

export function tearsheetSection(eq: { time: readonly number[]; values: readonly number[]; initial_capital: number }, barsPerYear: number | null): string {
  if (eq.values.length < 2) return '';
  const t = tearsheetPayload('report', { time: eq.time, values: eq.values, initial: eq.initial_capital, barsPerYear: barsPerYear ?? undefined }, MAX_POINTS);
  const rs = points(t.rolling_sharpe);
  const uw = points(t.underwater);
  // Its own few styles, so the report's stylesheet needs no change for this section.
  let html = `<section class="tearsheet"><style>table.heatmap th,table.heatmap td{padding:3px 5px;font-size:12px;text-align:right}table.heatmap td{color:var(--fg)}</style><h2>Tearsheet</h2>`;
  html += `<h3>Rolling Sharpe ratio (${t.window_months}-month window, ${t.window_bars} bars)</h3>`;
  html += rs.values.length
    ? lineChart({ time: rs.time, values: rs.values, cls: 'equity', label: 'Rolling Sharpe ratio', fmt: sharpe, baseline: 0, height: 180 })
    : `<p class="muted">${e(t.null_reasons.rolling_sharpe ?? 'Not enough bars.')}</p>`;
  html += '<p class="def">Sharpe of the per-bar returns inside each window (risk-free 0, annualised by √bars per year), as the backtest’s own Sharpe.</p>';
  html += '<h3>Underwater</h3>' + lineChart({ time: uw.time, values: uw.values, cls: 'dd', label: 'Underwater curve', fmt: (v) => pct(v), fill: true, height: 150 });
  html += '<h3>Worst drawdowns</h3>';
  if (t.drawdowns.length) {
    html += '<table class="metrics drawdowns"><thead><tr><th>#</th><th>Depth</th><th>Peak</th><th>Valley</th><th>Recovery</th><th>Peak → valley</th><th>Peak → recovery</th></tr></thead><tbody>';
    for (const d of t.drawdowns)
      html += `<tr><td>${d.rank}</td><td class="num neg">${e(pct(-d.depth, 2))}</td><td>${e(day(d.peak))}</td><td>${e(day(d.valley))}</td><td>${e(day(d.recovery))}</td><td class="num">${e(`${Math.round(d.decline_days)} days`)}</td><td class="num">${d.duration_days === null ? '—' : e(`${Math.round(d.duration_days)} days`)}</td></tr>`;
    html += '</tbody></table>';
  } else html += `<p class="muted">${e(t.null_reasons.drawdowns ?? '')}</p>`;
  if (t.monthly.length) {
    const scale = heatScale(t.monthly);
    const byKey = new Map(t.monthly.map((m) => [`${m.year}-${m.month}`, m.return]));
    html += `<h3>Monthly returns</h3><table class="heatmap"><thead><tr><th>Year</th>${MONTH_NAMES.map((n) => `<th>${n}</th>`).join('')}<th>Year</th></tr></thead><tbody>`;
    for (const y of t.yearly) {
      html += `<tr><th scope="row">${y.year}</th>`;
      for (let m = 1; m <= 12; m++) {
        const v = byKey.get(`${y.year}-${m}`);
        if (v === undefined) html += '<td></td>';
        else {
          const s = heatShade(v, scale);
          html += `<td class="num"${s.sign === 'zero' ? '' : ` style="background:rgba(${HEAT_RGB[s.sign]},${s.alpha})"`}>${e(pct(v))}</td>`;
        }
      }
      html += `<td class="num ${y.return > 0 ? 'pos' : y.return < 0 ? 'neg' : ''}"><strong>${e(pct(y.return))}</strong></td></tr>`;
    }
    html += `</tbody></table><p class="def">${e(MONTHLY_RETURNS_NOTE)} Shading: the stronger, the larger the month’s return against the largest (${e(pct(scale))}); green gains, red losses.</p>`;
  }
  return `${html}</section>`;
}
