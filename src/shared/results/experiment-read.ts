// Reading experiment results for display (CLI `experiment show`, the renderer's Experiments view and
// ExperimentCompare, MCP): parsed by the one reader entry point (parseOperationResult, through
// readOperationResult), numbers shown by the presenter (present-experiments.ts). What is here is the
// text around the numbers: which experiment it is, its protocol, its warnings. Pure.
import { metricDef } from '../metrics-catalog';
import { readOperationResult } from './index';
import { isoDay } from './present-experiments';
import type { SweepResult } from './sweep';
import type { WalkForwardResult } from './walk-forward';

export { isoDay, objectiveMetricKey, showParam } from './present-experiments';

export type ParsedExperiment = { kind: 'walk_forward'; results: WalkForwardResult } | { kind: 'sweep'; results: SweepResult } | { kind: 'unreadable'; message: string } | { kind: 'none' };

/**
 * An experiment's results as its contract says (parseOperationResult), or why they cannot be shown: an
 * older version, a mismatch naming the fields, an operation that is not an experiment. Never a guess.
 */
export function parseExperimentResults(operationType: string, results: unknown): ParsedExperiment {
  if (operationType !== 'walk_forward' && operationType !== 'sweep') return { kind: 'unreadable', message: `A ${operationType} operation is not an experiment` };
  const read = readOperationResult(operationType, results);
  if (read.status === 'unreadable') return { kind: 'unreadable', message: read.message };
  if (read.status === 'none') return { kind: 'none' };
  const t = read.typed;
  if (t.type === 'walk_forward') return { kind: 'walk_forward', results: t.result };
  if (t.type === 'sweep') return { kind: 'sweep', results: t.result };
  return { kind: 'unreadable', message: `A ${t.type} result is not an experiment's` };
}

/** One line for the quant: the catalogue's label and definition of a metric. */
export function explain(key: string): string {
  const d = metricDef(key);
  return `${d.label}: ${d.definition}`;
}

/** What the compare table needs of an experiment's operation. */
export interface ExperimentOperation {
  operation_type: string;
  status: string;
  metadata: { strategy_name?: unknown; symbol?: unknown; timeframe?: unknown; start_date?: unknown; end_date?: unknown };
}

/** A share of the bars (a setting, not a metric). */
const share = (x: number) => `${Math.round(x * 100)} %`;

/**
 * The descriptive rows of the side-by-side table (which experiment, its protocol, where its
 * out-of-sample numbers come from), the same for a walk-forward and a sweep. The numbers themselves
 * are the presenter's (presentExperimentComparison), with the catalogue's labels and units.
 */
export function compareFacts(op: ExperimentOperation, parsed: ParsedExperiment): Record<string, string> {
  const m = op.metadata;
  const rows: Record<string, string> = {
    Kind: op.operation_type === 'sweep' ? 'Parameter sweep' : 'Walk-forward',
    Strategy: String(m.strategy_name ?? '—'),
    Data: `${String(m.symbol ?? '')} ${String(m.timeframe ?? '')} · ${String(m.start_date ?? '')} → ${String(m.end_date ?? '')}`,
    Status: op.status,
  };
  if (parsed.kind === 'unreadable') return { ...rows, Results: parsed.message };
  if (parsed.kind === 'none') return { ...rows, Results: 'none yet' };
  if (parsed.kind === 'walk_forward') {
    const r = parsed.results;
    const done = r.folds.filter((f) => f.oos_metrics);
    return {
      ...rows,
      Protocol: `train ${r.settings.train_window}, test ${r.settings.test_window}, step ${r.settings.step}${r.settings.anchored ? ', anchored' : ''} · ${r.folds.length} folds`,
      'Cost model': done.find((f) => f.oos_costs)?.oos_costs?.model ?? '— (no fold finished)',
      'Out-of-sample window': done.length ? `${done.length} stitched folds, ${isoDay(done[0].test_start)} → ${isoDay(done[done.length - 1].test_end)}` : '— (no fold finished)',
    };
  }
  const r = parsed.results;
  return {
    ...rows,
    Protocol: `${r.sampler}, ${r.trials_requested} trials, objective ${r.objective} · selection ${share(r.settings.selection)}, holdout ${share(r.settings.holdout)} of the bars`,
    'Cost model': r.final?.backtest?.costs?.model ?? `— (${r.final ? `final backtest ${r.final.status}` : (r.null_reasons.final ?? 'no final evaluation')})`,
    'Out-of-sample window': r.ranges.holdout.bars ? `final holdout (trial ${r.final ? r.final.trial + 1 : '—'}), ${isoDay(r.ranges.holdout.start)} → ${isoDay(r.ranges.holdout.end)}` : '— (no final holdout)',
  };
}

/**
 * An experiment's warnings with the same message from several children said once:
 * "Fold 3: X", "Fold 5: X" → "Folds 3, 5: X". Other warnings stay as they are, in order.
 */
export function groupWarnings(warnings: readonly string[]): string[] {
  const groups = new Map<string, { kind: string; ids: number[] }>();
  const out: (string | { key: string })[] = [];
  for (const w of warnings) {
    const m = /^(Fold|Trial) (\d+): (.*)$/s.exec(w);
    if (!m) {
      out.push(w);
      continue;
    }
    const key = `${m[1]}|${m[3]}`;
    const g = groups.get(key);
    if (g) g.ids.push(Number(m[2]));
    else {
      groups.set(key, { kind: m[1], ids: [Number(m[2])] });
      out.push({ key });
    }
  }
  return out.map((x) => {
    if (typeof x === 'string') return x;
    const g = groups.get(x.key)!;
    const message = x.key.slice(x.key.indexOf('|') + 1);
    const ids = [...g.ids].sort((a, b) => a - b);
    return `${g.kind}${ids.length > 1 ? 's' : ''} ${ids.join(', ')}: ${message}`;
  });
}
