import { useResults } from '../hooks/useResults';
import { baselineVerdicts, findConfusionMatrix, modelPath, testMetrics } from '../lib/training-results';
import type { OperationView } from '../stores/operations';
import { ConfusionMatrix } from './ConfusionMatrix';
import { ErrorNote } from './ErrorNote';
import { KeyValueTable } from './KeyValueTable';

/** Final test metrics, confusion matrix and model path of a finished training. */
export function TrainingResults({ op }: { op: OperationView }) {
  const { results, error } = useResults(op.operation_id, op.status);
  if (op.status !== 'completed') return null;
  const matrix = findConfusionMatrix(results);
  const path = modelPath(results);
  const verdicts = baselineVerdicts(results);
  return (
    <div className="panel" data-testid="training-results">
      <h2>Results</h2>
      <ErrorNote error={error} />
      <p>
        Model: <span className="mono" data-testid="model-path">{path ?? '—'}</span>
      </p>
      {verdicts.length > 0 && (
        <div className={`banner ${results?.beats_baseline === true ? 'good' : 'warn'}`} data-testid="baseline-verdict">
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
      <div className="charts-2">
        <div>
          <h3>Test metrics</h3>
          <KeyValueTable values={testMetrics(results)} testId="test-metrics" />
        </div>
        <div>
          <h3>Confusion matrix</h3>
          {matrix ? <ConfusionMatrix matrix={matrix} /> : <p className="empty">Not in the results.</p>}
        </div>
      </div>
    </div>
  );
}
