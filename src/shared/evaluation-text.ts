// Plain-words verdicts shared by the worker (warnings), the CLI and the UI, so all three say the same.
// Numbers are written by the metric catalogue (one precision everywhere).
import { formatMetric } from './metrics-catalog';

export interface BaselineLike {
  best_constant_class: string;
  best_constant_accuracy: number;
  model_accuracy: number;
  p_value: number;
  beats: boolean;
}

const pct = (x: number) => formatMetric('model_accuracy', x);

/** "p = 0.338", "p < 0.001". */
export function formatP(p: number): string {
  const text = formatMetric('p_value', p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

/** "test: 47.0 % vs always-SELL 69.8 % → worse than a constant (p = 0.93)". */
export function describeBaseline(split: string, b: BaselineLike): string {
  const verdict = b.beats
    ? 'beats the best constant'
    : b.model_accuracy > b.best_constant_accuracy
      ? 'not significantly better than a constant'
      : b.model_accuracy === b.best_constant_accuracy
        ? 'no better than a constant'
        : 'worse than a constant';
  return `${split}: ${pct(b.model_accuracy)} vs always-${b.best_constant_class} ${pct(b.best_constant_accuracy)} → ${verdict} (${formatP(b.p_value)})`;
}

/** "balanced accuracy 37.2 % (constant 50.0 %) · macro-F1 0.313 (constant 0.274)" — when the fields are there. */
export function describeBaselineScores(b: object): string | null {
  const o = b as Record<string, unknown>;
  const n = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : null);
  const ba = n('balanced_accuracy');
  const f1 = n('macro_f1');
  if (ba === null || f1 === null) return null;
  const cba = n('best_constant_balanced_accuracy');
  const cf1 = n('best_constant_macro_f1');
  const f = (v: number) => formatMetric('macro_f1', v);
  return `balanced accuracy ${pct(ba)}${cba !== null ? ` (constant ${pct(cba)})` : ''} · macro-F1 ${f(f1)}${cf1 !== null ? ` (constant ${f(cf1)})` : ''}`;
}

export function isBaselineLike(v: unknown): v is BaselineLike {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.best_constant_class === 'string' && typeof o.best_constant_accuracy === 'number' && typeof o.model_accuracy === 'number' && typeof o.p_value === 'number' && typeof o.beats === 'boolean';
}
