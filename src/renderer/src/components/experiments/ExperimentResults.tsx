// An experiment's results as its contract says (src/shared/results): every number through the shared
// presenter (presentWalkForward, presentSweep: the catalogue's label, unit, precision, and "—" with
// the reason), as the CLI and the MCP server show them; around them the stitched equity, the windows,
// the chosen parameters and the parameter-vs-objective plots.
import { useMemo } from 'react';
import { formatMetric } from '../../../../shared/metrics-catalog';
import type { OperationStatus } from '../../../../shared/operations';
import { explain, isoDay, objectiveMetricKey, showParam } from '../../../../shared/results/experiment-read';
import { presentSweep, presentWalkForward } from '../../../../shared/results/present-experiments';
import type { SweepResult } from '../../../../shared/results/sweep';
import type { WalkForwardResult } from '../../../../shared/results/walk-forward';
import { fmtNumber, shortOpId, toUnixSeconds } from '../../lib/format';
import { LineChart } from '../LineChart';
import { ResultSections } from '../ResultSections';
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

/** The presenter's sections of an experiment, each table named `exp-section-<id>`. */
const sectionId = (id: string) => `exp-section-${id}`;

export function WalkForwardResults({ r }: { r: WalkForwardResult }) {
  const eq = r.stitched_equity;
  const x = useMemo(() => eq.timestamps.map((t) => toUnixSeconds(t)), [eq]);
  const series = useMemo(() => [{ label: 'stitched OOS equity', values: eq.values, color: 'accent' as const }], [eq]);
  const sections = useMemo(() => presentWalkForward(r), [r]);
  const s = r.settings;
  const costModel = r.folds.find((f) => f.oos_costs)?.oos_costs?.model;
  return (
    <div data-testid="walk-forward-results">
      <p data-testid="wf-protocol">
        Train {String(s.train_window)}, test {String(s.test_window)}, step {String(s.step)}
        {s.anchored ? ', anchored' : ''}, embargo {s.embargo_bars} bars · {r.folds.length} folds{costModel ? ` · costs: ${costModel}` : ''}
      </p>
      {/* Equity on the chart's axis in the catalogue's money format; the tables below carry the currency. */}
      <h3>Stitched out-of-sample equity</h3>
      {x.length ? (
        <LineChart x={x} series={series} height={220} time yLabel="equity" yFormat={(v) => formatMetric('final_equity', v)} testId="wf-stitched-equity" />
      ) : (
        <p>No fold finished yet.</p>
      )}
      <ResultSections sections={sections} testId="wf-sections" sectionTestId={sectionId} />
    </div>
  );
}

const windowText = (w: { start: string | null; end: string | null; bars: number }) => (w.bars ? `${isoDay(w.start)} → ${isoDay(w.end)} (${w.bars.toLocaleString('en-US')} bars)` : 'none');

export function SweepResults({ r }: { r: SweepResult }) {
  const key = objectiveMetricKey(r.objective);
  const sections = useMemo(() => presentSweep(r), [r]);
  const best = r.best_trial;
  return (
    <div data-testid="sweep-results">
      <p data-testid="sweep-summary">
        Objective <b>{r.objective}</b> ({r.objective_label}), {r.sampler} sampler, seed {r.seed} ·{' '}
        {best ? `chosen: trial ${best.trial + 1} (${Object.entries(best.params ?? {}).map(([k, v]) => `${k}=${showParam(v)}`).join(', ')})` : `no trial chosen (${r.null_reasons.best_trial ?? 'none yet'})`}
      </p>
      <p data-testid="sweep-windows">
        Training {windowText(r.ranges.train)} · selection {windowText(r.ranges.selection)} · final holdout {windowText(r.ranges.holdout)}
      </p>
      <ResultSections sections={sections} testId="sweep-sections" sectionTestId={sectionId} />
      <div data-testid="sweep-definitions" className="muted small">
        <p>{explain('deflated_sharpe_ratio')}</p>
        <p>{explain('pbo')}</p>
      </div>
      <h3>Parameter vs objective</h3>
      <div className="scatter-row">
        {r.importance.map((imp) => (
          <ScatterPlot
            key={imp.path}
            testId={`sweep-scatter-${imp.path}`}
            xLabel={imp.path}
            yLabel={r.objective}
            xFormat={showParam}
            yFormat={(v) => formatMetric(key, v)}
            points={imp.points.map((p) => ({ x: typeof p.value === 'number' ? p.value : JSON.stringify(p.value), y: p.objective, label: `trial ${p.trial + 1}: ${showParam(p.value)} → ${formatMetric(key, p.objective)}` }))}
          />
        ))}
        {!r.importance.length && <p>No finished trial yet.</p>}
      </div>
    </div>
  );
}
