// An experiment's results as its schema says (src/shared/results): folds or trials, the out-of-sample
// numbers, costs, DSR/PBO with their definitions. Every number is formatted by the metric catalogue;
// a null shows "—" with its reason on hover.
import { useMemo } from 'react';
import { metricTooltip } from '../../../../shared/metrics-catalog';
import type { OperationStatus } from '../../../../shared/operations';
import { explain, isoDay, objectiveMetricKey, showMetric, showParam } from '../../../../shared/results/experiment-read';
import type { SweepResult } from '../../../../shared/results/sweep';
import type { WalkForwardResult } from '../../../../shared/results/walk-forward';
import { fmtNumber, shortOpId, toUnixSeconds } from '../../lib/format';
import { LineChart } from '../LineChart';
import { StatusBadge } from '../StatusBadge';
import { ScatterPlot } from './ScatterPlot';

interface ChildRow {
  operation_id: string;
  operation_type: string;
  status: OperationStatus;
  progress_percentage?: number;
  current_step?: string | null;
  metadata?: Record<string, unknown>;
}

/** Children of an experiment as they fill in. */
export function ChildrenTable({ children }: { children: ChildRow[] }) {
  return (
    <table className="table" data-testid="experiment-children">
      <thead>
        <tr>
          <th>Step</th>
          <th>Type</th>
          <th>Status</th>
          <th>Progress</th>
          <th>Detail</th>
          <th>Operation</th>
        </tr>
      </thead>
      <tbody>
        {children.map((c) => (
          <tr key={c.operation_id}>
            <td>{c.metadata?.final ? 'final holdout' : c.metadata?.fold !== undefined ? `fold ${Number(c.metadata.fold) + 1}` : c.metadata?.trial !== undefined ? `trial ${Number(c.metadata.trial) + 1}` : ''}</td>
            <td>{c.operation_type}</td>
            <td>
              <StatusBadge status={c.status} />
            </td>
            <td>{fmtNumber(c.progress_percentage, 0)}%</td>
            <td>{c.current_step ?? ''}</td>
            <td title={c.operation_id}>{shortOpId(c.operation_id)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A metric cell: the catalogue's text, its definition on hover, or "—" with the reason. */
function Cell({ k, v, why, currency }: { k: string; v: number | null | undefined; why?: string | null; currency?: string | null }) {
  const text = v === null || v === undefined ? '—' : showMetric(k, v, null, currency);
  return <td title={v === null || v === undefined ? (why ?? 'not available') : metricTooltip(k)}>{text}</td>;
}

/** Equity on the chart's axis and legend: money, as the catalogue writes it (no 1.008e+5). */
const equityText = (v: number) => showMetric('final_equity', v);

export function WalkForwardResults({ r }: { r: WalkForwardResult }) {
  const eq = r.stitched_equity;
  const x = useMemo(() => eq.timestamps.map((t) => toUnixSeconds(t)), [eq]);
  const series = useMemo(() => [{ label: 'stitched OOS equity', values: eq.values, color: 'accent' as const }], [eq]);
  const m = r.stitched_metrics;
  const c = r.costs_total;
  return (
    <div data-testid="walk-forward-results">
      <h3>Folds</h3>
      <table className="table" data-testid="wf-folds">
        <thead>
          <tr>
            <th>Fold</th>
            <th>Training window</th>
            <th>Test window</th>
            <th>Status</th>
            <th>Val accuracy</th>
            <th>OOS return</th>
            <th>OOS Sharpe</th>
            <th>Max DD</th>
            <th>Trades</th>
            <th>Gross PnL</th>
            <th>Costs</th>
            <th>Net PnL</th>
          </tr>
        </thead>
        <tbody>
          {r.folds.map((f) => {
            const o = f.oos_metrics;
            const cost = f.oos_costs;
            return (
              <tr key={f.fold} title={f.train_metrics?.warnings.join('\n') || undefined}>
                <td>{f.fold + 1}</td>
                <td>
                  {isoDay(f.train_start)} → {isoDay(f.train_end)}
                </td>
                <td>
                  {isoDay(f.test_start)} → {isoDay(f.test_end)}
                </td>
                <td title={f.error ?? ''}>{f.status}</td>
                <Cell k="val_accuracy" v={f.train_metrics?.val_accuracy} why={f.train_metrics?.null_reasons.val_accuracy} />
                <Cell k="total_return_pct" v={o?.total_return_pct} why={o?.null_reasons.total_return_pct} />
                <Cell k="sharpe_ratio" v={o?.sharpe_ratio} why={o?.null_reasons.sharpe_ratio} />
                <Cell k="max_drawdown_pct" v={o?.max_drawdown_pct} why={o?.null_reasons.max_drawdown_pct} />
                <Cell k="total_trades" v={o?.total_trades} why={o?.null_reasons.total_trades} />
                <Cell k="gross_pnl" v={cost?.gross_pnl} />
                <Cell k="commission" v={cost ? cost.commission + cost.spread_cost + cost.slippage_cost : null} />
                <Cell k="net_pnl" v={cost?.net_pnl} />
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>Stitched out-of-sample equity</h3>
      {x.length ? <LineChart x={x} series={series} height={220} time yLabel="equity" yFormat={equityText} testId="wf-stitched-equity" /> : <p>No fold finished yet.</p>}
      {m && (
        <p data-testid="wf-summary">
          Return {showMetric('total_return_pct', m.total_return)} · Sharpe {showMetric('sharpe_ratio', m.sharpe_ratio, m.null_reasons.sharpe_ratio)} · max drawdown {showMetric('max_drawdown_pct', m.max_drawdown)} · profitable folds{' '}
          {r.stability.profitable_folds}/{r.stability.total_return.folds} · fold return {showMetric('total_return_pct', r.stability.total_return.mean)} ± {showMetric('total_return_pct', r.stability.total_return.std)}
          {r.degradation.ratio !== null && ` · degradation (${r.degradation.basis}) ${showMetric('degradation_ratio', r.degradation.ratio)}`}
        </p>
      )}
      {c && (
        <p data-testid="wf-costs">
          Costs over {c.folds} folds: gross PnL {showMetric('gross_pnl', c.gross_pnl, null, c.currency)} · commission {showMetric('commission', c.commission, null, c.currency)} · spread {showMetric('spread_cost', c.spread_cost, null, c.currency)} · slippage{' '}
          {showMetric('slippage_cost', c.slippage_cost, null, c.currency)} · net PnL {showMetric('net_pnl', c.net_pnl, null, c.currency)}
        </p>
      )}
    </div>
  );
}

const windowText = (w: { start: string | null; end: string | null; bars: number }) => (w.bars ? `${isoDay(w.start)} → ${isoDay(w.end)} (${w.bars.toLocaleString('en-US')} bars)` : 'none');

export function SweepResults({ r }: { r: SweepResult }) {
  const key = objectiveMetricKey(r.objective);
  const paths = Object.keys(r.trials.find((t) => t.params)?.params ?? {});
  const o = r.overfitting;
  const fin = r.final?.backtest ?? null;
  return (
    <div data-testid="sweep-results">
      <p data-testid="sweep-summary">
        Objective <b>{r.objective}</b> ({r.objective_label}), {r.sampler} sampler, seed {r.seed} · {r.completed_trials}/{r.trials_requested} trials completed, {r.rankable_trials} rankable
        {r.best_trial ? (
          <>
            {' '}
            · chosen: trial {r.best_trial.trial + 1} = {showMetric(key, r.best_trial.objective)}
          </>
        ) : (
          ` · no trial chosen (${r.null_reasons.best_trial ?? 'none yet'})`
        )}
      </p>
      <p data-testid="sweep-windows">
        Training {windowText(r.ranges.train)} · selection {windowText(r.ranges.selection)} · final holdout {windowText(r.ranges.holdout)}
      </p>
      <div data-testid="sweep-final">
        <h3>Final holdout (untouched, evaluated once)</h3>
        {fin ? (
          <p>
            Trial {r.final!.trial + 1}: return {showMetric('total_return_pct', fin.metrics.total_return_pct)} · Sharpe {showMetric('sharpe_ratio', fin.metrics.sharpe_ratio, fin.metrics.null_reasons.sharpe_ratio)} · max drawdown{' '}
            {showMetric('max_drawdown_pct', fin.metrics.max_drawdown_pct)} · trades {showMetric('total_trades', fin.metrics.total_trades)}
            {fin.costs && ` · costs ${showMetric('commission', fin.costs.commission + fin.costs.spread_cost + fin.costs.slippage_cost, null, fin.costs.currency)} of gross ${showMetric('gross_pnl', fin.costs.gross_pnl, null, fin.costs.currency)}`}
          </p>
        ) : (
          <p>{r.final ? `Trial ${r.final.trial + 1}: ${r.final.status}${r.final.error ? ` (${r.final.error})` : ''}` : `— ${r.null_reasons.final ?? ''}`}</p>
        )}
      </div>
      <div data-testid="sweep-guards">
        <p>
          <b>Deflated Sharpe ratio</b> of the chosen trial: {showMetric('deflated_sharpe_ratio', o.deflated_sharpe?.deflated_sharpe_ratio, o.null_reasons.deflated_sharpe)}
          {o.deflated_sharpe && ` (${o.trials_used} trials, ${o.observations} selection bars)`}
          <br />
          <small>{explain('deflated_sharpe_ratio')}</small>
        </p>
        <p>
          <b>Probability of backtest overfitting</b>: {showMetric('pbo', o.pbo?.pbo, o.null_reasons.pbo)}
          {o.pbo && ` (CSCV, ${o.pbo.blocks} blocks, ${o.pbo.combinations_used}/${o.pbo.combinations} combinations)`}
          <br />
          <small>{explain('pbo')}</small>
        </p>
      </div>
      <h3>Trials (ranked on the selection window)</h3>
      <table className="table" data-testid="sweep-trials">
        <thead>
          <tr>
            <th>Trial</th>
            {paths.map((p) => (
              <th key={p}>{p}</th>
            ))}
            <th>Objective</th>
            <th>Val acc</th>
            <th>Sel. Sharpe</th>
            <th>Sel. return</th>
            <th>Trades</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {r.trials.map((t) => (
            <tr key={t.trial} className={r.best_trial?.trial === t.trial ? 'best' : undefined}>
              <td>{t.trial + 1}</td>
              {paths.map((p) => (
                <td key={p}>{showParam(t.params?.[p])}</td>
              ))}
              <Cell k={key} v={t.objective} why={t.null_reasons.objective} />
              <Cell k="val_accuracy" v={t.metrics.val_accuracy} why={t.metrics.null_reasons.val_accuracy} />
              <Cell k="sharpe_ratio" v={t.metrics.oos_sharpe} why={t.metrics.null_reasons.oos_sharpe} />
              <Cell k="total_return_pct" v={t.metrics.oos_return} why={t.metrics.null_reasons.oos_return} />
              <Cell k="total_trades" v={t.metrics.oos_trades} why={t.metrics.null_reasons.oos_trades} />
              <td title={t.error ?? ''}>{t.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Parameter vs objective</h3>
      <div className="scatter-row">
        {r.importance.map((imp) => (
          <ScatterPlot
            key={imp.path}
            testId={`sweep-scatter-${imp.path}`}
            xLabel={`${imp.path} (spread ${showMetric(key, imp.spread)})`}
            yLabel={r.objective}
            xFormat={showParam}
            yFormat={(v) => showMetric(key, v)}
            points={imp.points.map((p) => ({ x: typeof p.value === 'number' ? p.value : JSON.stringify(p.value), y: p.objective, label: `trial ${p.trial + 1}: ${showParam(p.value)} → ${showMetric(key, p.objective)}` }))}
          />
        ))}
        {!r.importance.length && <p>No finished trial yet.</p>}
      </div>
    </div>
  );
}
