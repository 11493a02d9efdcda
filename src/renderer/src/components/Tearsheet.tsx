// The tearsheet of a finished backtest (GET /backtests/{id}/tearsheet, computed by core/tearsheet):
// rolling Sharpe, the underwater curve, the five worst drawdowns with their dates and the monthly
// returns as a heatmap, the same numbers the HTML report prints.
import { useEffect, useMemo, useState } from 'react';
import { formatMetric } from '../../../shared/metrics-catalog';
import { heatScale, heatShade, MONTH_NAMES, MONTHLY_RETURNS_NOTE, type TearsheetPayload } from '../../../shared/tearsheet';
import { api } from '../api/client';
import { fmtPct, toUnixSeconds } from '../lib/format';
import { ErrorNote } from './ErrorNote';
import { LineChart } from './LineChart';

export const ROLLING_H = 160;
export const UNDERWATER_H = 130;

// Module-level formatters: a new function per render would rebuild the charts.
const ratioTick = (v: number) => v.toFixed(1);
const ratioValue = (v: number) => formatMetric('sharpe_ratio', v);
const pctTick = (v: number) => `${(v * 100).toFixed(0)}%`;
const pctValue = (v: number) => formatMetric('max_drawdown_pct', v);
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'not recovered');

/** Fetches and draws the tearsheet of backtest `backtestId`. */
export function Tearsheet({ backtestId }: { backtestId: string }) {
  const [payload, setPayload] = useState<TearsheetPayload | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setPayload(null);
    setError(null);
    api
      .get<TearsheetPayload>(`/backtests/${encodeURIComponent(backtestId)}/tearsheet`)
      .then((p) => live && setPayload(p))
      .catch((e: Error) => live && setError(`Tearsheet: ${e.message}`));
    return () => {
      live = false;
    };
  }, [backtestId]);
  return (
    <section className="tearsheet" data-testid="tearsheet" aria-label="Tearsheet">
      <h3>Tearsheet</h3>
      <ErrorNote error={error} />
      {payload ? <TearsheetBody payload={payload} /> : !error && <p className="empty">Loading…</p>}
    </section>
  );
}

/** The tearsheet drawn from its payload (also used by the render bench). */
export function TearsheetBody({ payload: p, onFirstDraw }: { payload: TearsheetPayload; onFirstDraw?(): void }) {
  const rs = useMemo(() => ({ x: p.rolling_sharpe.time.map(toUnixSeconds), series: [{ label: `Sharpe, ${p.window_months}-month window`, values: p.rolling_sharpe.values, color: 'accent' as const }] }), [p]);
  const uw = useMemo(() => ({ x: p.underwater.time.map(toUnixSeconds), series: [{ label: 'below the running peak', values: p.underwater.values, color: 'bad' as const, fill: true }] }), [p]);
  useEffect(() => {
    if (!onFirstDraw) return;
    // Both charts draw synchronously when mounted: the next frame shows them.
    const id = requestAnimationFrame(() => onFirstDraw());
    return () => cancelAnimationFrame(id);
  }, [onFirstDraw]);
  return (
    <div data-testid="tearsheet-body" data-bars={p.bars}>
      <div className="charts-2">
        <div>
          <h4>Rolling Sharpe ratio</h4>
          {p.rolling_sharpe.values.some((v) => v !== null) ? (
            <LineChart x={rs.x} series={rs.series} height={ROLLING_H} time testId="tearsheet-rolling-sharpe" yLabel="Sharpe (annualised)" yFormat={ratioTick} valueFormat={ratioValue} />
          ) : (
            <p className="empty" data-testid="tearsheet-rolling-note">
              {p.null_reasons.rolling_sharpe}
            </p>
          )}
        </div>
        <div>
          <h4>Underwater</h4>
          <LineChart x={uw.x} series={uw.series} height={UNDERWATER_H} time testId="tearsheet-underwater" yLabel="drawdown (%)" yFormat={pctTick} valueFormat={pctValue} />
        </div>
      </div>
      <div className="tearsheet-tables">
        <div>
          <h4>Worst drawdowns</h4>
          <DrawdownTable p={p} />
        </div>
        <div>
          <h4>Monthly returns</h4>
          <MonthlyHeatmap p={p} />
        </div>
      </div>
      <p className="muted small">
        Rolling Sharpe: per-bar returns over the last {p.window_bars.toLocaleString('en-US')} bars (≈ {p.window_months} months), risk-free 0, annualised by √{Math.round(p.bars_per_year).toLocaleString('en-US')} bars a year — as the backtest’s own Sharpe.
        Underwater: equity ÷ its running peak − 1.
      </p>
    </div>
  );
}

function DrawdownTable({ p }: { p: TearsheetPayload }) {
  if (!p.drawdowns.length) return <p className="empty">{p.null_reasons.drawdowns ?? 'No drawdown.'}</p>;
  return (
    <div className="table-wrap">
      <table className="grid small" data-testid="tearsheet-drawdowns">
        <thead>
          <tr>
            <th>#</th>
            <th className="num">Depth</th>
            <th>Peak</th>
            <th>Valley</th>
            <th>Recovery</th>
            <th className="num">Days</th>
          </tr>
        </thead>
        <tbody>
          {p.drawdowns.map((d) => (
            <tr key={d.rank}>
              <td>{d.rank}</td>
              <td className="num neg">{fmtPct(-d.depth)}</td>
              <td>{day(d.peak)}</td>
              <td>{day(d.valley)}</td>
              <td className={d.recovery ? undefined : 'note'}>{day(d.recovery)}</td>
              <td className="num" title={`${Math.round(d.decline_days)} days from the peak to the valley`}>
                {d.duration_days === null ? `${Math.round(d.decline_days)}+` : Math.round(d.duration_days)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MonthlyHeatmap({ p }: { p: TearsheetPayload }) {
  const scale = heatScale(p.monthly);
  const byKey = useMemo(() => new Map(p.monthly.map((m) => [`${m.year}-${m.month}`, m.return])), [p.monthly]);
  if (!p.monthly.length) return <p className="empty">No complete month.</p>;
  return (
    <div className="table-wrap">
      <table className="grid heatmap" data-testid="tearsheet-heatmap">
        <thead>
          <tr>
            <th>Year</th>
            {MONTH_NAMES.map((m) => (
              <th key={m} className="num">
                {m}
              </th>
            ))}
            <th className="num">Year</th>
          </tr>
        </thead>
        <tbody>
          {p.yearly.map((y) => (
            <tr key={y.year}>
              <th scope="row">{y.year}</th>
              {MONTH_NAMES.map((name, i) => {
                const v = byKey.get(`${y.year}-${i + 1}`);
                if (v === undefined) return <td key={name} />;
                const s = heatShade(v, scale);
                const bg = s.sign === 'zero' ? undefined : `color-mix(in srgb, var(--${s.sign === 'pos' ? 'good' : 'bad'}) ${Math.round(s.alpha * 100)}%, transparent)`;
                return (
                  <td key={name} className="num" style={bg ? { background: bg } : undefined} data-month={`${y.year}-${i + 1}`} title={`${name} ${y.year}: ${fmtPct(v)}`}>
                    {(v * 100).toFixed(1)}
                  </td>
                );
              })}
              <td className={`num ${y.return > 0 ? 'pos' : y.return < 0 ? 'neg' : ''}`}>
                <strong>{(y.return * 100).toFixed(1)}</strong>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Returns in %; shading grows with |return| up to {fmtPct(scale, 1)}. {MONTHLY_RETURNS_NOTE}
      </p>
    </div>
  );
}
