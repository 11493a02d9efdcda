// The two or three numbers that tell a finished run's outcome at a glance (the Operations list's
// Result column, experiment children side by side), read from the operation's result_summary.
// Keys are metric-catalogue keys, so every reader labels, formats and explains them alike.

export interface KeyMetric {
  /** Catalogue key: how the value is formatted and explained. */
  key: string;
  value: number;
  /** A name of its own where the catalogue's would mislead (a sweep's best objective). */
  label?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function pick(pairs: [string, unknown][]): KeyMetric[] {
  return pairs.filter((p): p is [string, number] => finite(p[1])).map(([key, value]) => ({ key, value }));
}

/** A sweep objective's catalogue key (its unit): oos_return is a fraction like total_return_pct. */
const OBJECTIVE_KEYS: Record<string, string> = {
  oos_return: 'total_return_pct',
  oos_sharpe: 'oos_sharpe',
  val_accuracy: 'val_accuracy',
  test_accuracy: 'test_accuracy',
};

export function keyMetrics(type: string, summary: unknown): KeyMetric[] {
  const s = obj(summary);
  if (type === 'training') {
    const tm = obj(s.training_metrics);
    return pick([
      ['best_val_accuracy', tm.best_val_accuracy],
      ['test_accuracy', obj(s.test_metrics).test_accuracy],
    ]);
  }
  if (type === 'backtesting') {
    const m = obj(s.metrics);
    return pick([
      ['total_return_pct', m.total_return_pct],
      ['sharpe_ratio', m.sharpe_ratio],
      ['total_trades', m.total_trades],
    ]);
  }
  if (type === 'sweep') {
    const best = obj(s.best_trial);
    const o = obj(s.overfitting);
    const objective = typeof s.objective === 'string' ? s.objective : 'objective';
    const out = pick([[OBJECTIVE_KEYS[objective] ?? objective, best.objective]]).map((m) => ({ ...m, label: `best ${objective.replace(/_/g, ' ').replace(/^oos\b/, 'OOS')}` }));
    return [...out, ...pick([['deflated_sharpe_ratio', obj(o.deflated_sharpe).deflated_sharpe_ratio]])];
  }
  if (type === 'walk_forward') {
    // The stitched out-of-sample curve's return is a fraction (total_return there is not money).
    const m = obj(s.stitched_metrics);
    return pick([
      ['total_return_pct', m.total_return],
      ['oos_sharpe', m.sharpe_ratio],
    ]);
  }
  return [];
}
