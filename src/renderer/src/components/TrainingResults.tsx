import { useResults } from '../hooks/useResults';
import { baselineVerdicts, findConfusionMatrix, modelPath, testMetrics } from '../lib/training-results';
import type { OperationView } from '../stores/operations';
import { ConfusionMatrix } from './ConfusionMatrix';
import { ErrorNote } from './ErrorNote';
import { KeyValueTable } from './KeyValueTable';
import { baselineTone } from '../lib/split-report';
import { SplitTable } from './SplitTable';
import { Warnings } from './Warnings';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);

/** Final test metrics, the constant-answer baseline, training summary, confusion matrix, warnings and model path. */
export function TrainingResults({ op }: { op: OperationView }) {
  const { results, error } = useResults(op.operation_id, op.status);
  if (op.status !== 'completed') return null;
  const matrix = findConfusionMatrix(results);
  const path = modelPath(results);
  const verdicts = baselineVerdicts(results);
  const tm = obj(results?.training_metrics);
  const summary = tm ? Object.fromEntries(Object.entries(tm).filter(([k]) => k !== 'history')) : null;
  return (
    <div className="panel" data-testid="training-results">
      <h2>Results</h2>
      <ErrorNote error={error} />
      <Warnings operation={op.warnings} results={results?.warnings} testId="training-warnings" />
      <p>
        Model: <span className="mono" data-testid="model-path">{path ?? '—'}</span>
      </p>
      {verdicts.length > 0 && (
        <div className={`banner ${baselineTone(verdicts)}`} data-testid="baseline-verdict" data-tone={baselineTone(verdicts)}>
          <strong>Against the best constant predictor</strong>
          <ul>
            {verdicts.map((v) => (
              <li key={v.split} data-split={v.split} data-beats={v.beats}>
                {v.text}
                {v.scores && <span className="muted"> · {v.scores}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      <SplitTable results={results} />
      <div className="charts-2">
        <div>
          <h3>Test metrics</h3>
          <KeyValueTable values={testMetrics(results)} testId="test-metrics" />
        </div>
        <div>
          <h3>Training</h3>
          <KeyValueTable values={summary} testId="training-summary" />
          <h3>Confusion matrix</h3>
          {matrix ? <ConfusionMatrix matrix={matrix} /> : <p className="empty">Not in the results.</p>}
        </div>
      </div>
    </div>
  );
}
