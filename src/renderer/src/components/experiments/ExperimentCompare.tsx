import { useEffect, useMemo, useState } from 'react';
import { compareFacts, parseExperimentResults, type ExperimentOperation, type ParsedExperiment } from '../../../../shared/results/experiment-read';
import { presentExperimentComparison, type ComparedExperiment } from '../../../../shared/results/present-experiments';
import { api } from '../../api/client';
import { shortOpId, toUnixSeconds } from '../../lib/format';
import { LineChart } from '../LineChart';
import { SectionTable } from '../ResultSections';

interface Side {
  operation: ExperimentOperation & { operation_id: string };
  results: unknown;
}

interface Option {
  operation_id: string;
  operation_type: string;
  status: string;
  metadata?: Record<string, unknown>;
}

const parse = (s: Side) => parseExperimentResults(s.operation.operation_type, s.results);

/** One side of the metric comparison: the parsed result, or why there is none. */
function compared(name: string, p: ParsedExperiment): ComparedExperiment {
  if (p.kind === 'walk_forward') return { name, typed: { type: 'walk_forward', result: p.results } };
  if (p.kind === 'sweep') return { name, typed: { type: 'sweep', result: p.results } };
  return { name, typed: null, missing: p.kind === 'unreadable' ? p.message : 'no results yet' };
}

/** A walk-forward's stitched out-of-sample curve as growth of 1 (a sweep has no stitched curve). */
function curveOf(s: Side | null): { t: number[]; v: number[] } | null {
  const parsed = s ? parse(s) : null;
  if (parsed?.kind !== 'walk_forward' || !parsed.results.stitched_equity.values.length) return null;
  const eq = parsed.results.stitched_equity;
  return { t: eq.timestamps.map((x) => toUnixSeconds(x)), v: eq.values.map((x) => x / eq.initial_capital) };
}

/** Two experiments side by side (a walk-forward and a sweep compare on the same rows), and both stitched curves. */
export function ExperimentCompare({ left, options }: { left: Side; options: Option[] }) {
  const [rightId, setRightId] = useState('');
  const [right, setRight] = useState<Side | null>(null);
  useEffect(() => {
    setRight(null);
    if (!rightId) return;
    void api
      .get<{ data: Side }>(`/experiments/${rightId}`)
      .then((r) => setRight(r.data))
      .catch(() => setRight(null));
  }, [rightId]);
  const pa = useMemo(() => parse(left), [left]);
  const pb = useMemo(() => (right ? parse(right) : null), [right]);
  const a = useMemo(() => compareFacts(left.operation, pa), [left, pa]);
  const b = useMemo(() => (right && pb ? compareFacts(right.operation, pb) : {}), [right, pb]);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const metrics = useMemo(
    () => (right && pb ? presentExperimentComparison([compared(`A · ${shortOpId(left.operation.operation_id)}`, pa), compared(`B · ${shortOpId(right.operation.operation_id)}`, pb)]) : null),
    [left, right, pa, pb],
  );
  // Both curves as growth of 1 on a shared time axis (union of timestamps; gaps where a curve has none).
  const chart = useMemo(() => {
    const ca = curveOf(left);
    const cb = curveOf(right);
    if (!ca || !cb || !right) return null;
    const points = new Map<number, [number | null, number | null]>();
    ca.t.forEach((t, i) => points.set(t, [ca.v[i], null]));
    cb.t.forEach((t, i) => points.set(t, [points.get(t)?.[0] ?? null, cb.v[i]]));
    const xs = [...points.keys()].sort((x, y) => x - y);
    return {
      x: xs,
      series: [
        { label: `A ${shortOpId(left.operation.operation_id)}`, values: xs.map((x) => points.get(x)![0]), color: 'accent' as const },
        { label: `B ${shortOpId(right.operation.operation_id)}`, values: xs.map((x) => points.get(x)![1]), color: 'warn' as const, dash: [6, 4] },
      ],
    };
  }, [left, right]);
  return (
    <div className="panel" data-testid="experiment-compare">
      <h3>Compare with another run</h3>
      <select value={rightId} onChange={(e) => setRightId(e.target.value)} aria-label="Compare with" data-testid="compare-select">
        <option value="">Choose a run…</option>
        {options
          .filter((o) => o.operation_id !== left.operation.operation_id)
          .map((o) => (
            <option key={o.operation_id} value={o.operation_id}>
              {o.operation_type === 'sweep' ? 'Sweep' : 'Walk-forward'} · {String(o.metadata?.strategy_name ?? '')} · {o.status} · {shortOpId(o.operation_id)}
            </option>
          ))}
      </select>
      {right && (
        <>
          <table className="table" data-testid="compare-table">
            <thead>
              <tr>
                <th />
                <th>A · {shortOpId(left.operation.operation_id)}</th>
                <th>B · {shortOpId(right.operation.operation_id)}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{a[k] ?? '—'}</td>
                  <td>{b[k] ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {metrics && <SectionTable section={metrics} testId="compare-metrics" />}
          {chart && <LineChart x={chart.x} series={chart.series} height={200} time yLabel="growth of 1" yFormat={(v) => v.toFixed(3)} testId="compare-equity" />}
        </>
      )}
    </div>
  );
}
