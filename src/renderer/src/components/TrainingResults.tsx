import { useMemo } from 'react';
import { presentTraining } from '../../../shared/results/present';
import type { TrainingResult } from '../../../shared/results/training';
import { useResults } from '../hooks/useResults';
import { baselineVerdicts } from '../lib/training-results';
import type { OperationView } from '../stores/operations';
import { ConfusionMatrix } from './ConfusionMatrix';
import { ErrorNote } from './ErrorNote';
import { SectionTable } from './ResultSections';
import { baselineTone } from '../lib/split-report';
import { SplitTable } from './SplitTable';
import { Warnings } from './Warnings';
import './results.css';

/**
 * Final test metrics, the constant-answer baseline (green only when every split shown beats it), the
 * rows of each split, the training summary, the confusion matrix,
 * warnings and the model path: the result contract through the shared presenter (the same labels,
 * units and precision as the CLI; "—" with the reason for what is undefined).
 */
export function TrainingResults({ op }: { op: OperationView }) {
  const { typed, error } = useResults(op.operation_id, op.status);
  const results: TrainingResult | null = typed?.type === 'training' ? typed.result : null;
  const sections = useMemo(() => (results ? new Map(presentTraining(results).map((s) => [s.id, s])) : null), [results]);
  if (op.status !== 'completed') return null;
  const verdicts = baselineVerdicts(results);
  const section = (id: string, testId: string) => {
    const s = sections?.get(id);
    return s ? <SectionTable section={s} testId={testId} heading={false} /> : null;
  };
  return (
    <div className="panel" data-testid="training-results">
      <h2>Results</h2>
      <ErrorNote error={error} />
      <Warnings operation={op.warnings} results={results?.warnings} testId="training-warnings" />
      {results ? (
        <p>
          Model: <span className="mono" data-testid="model-path">{results.model_path}</span>
        </p>
      ) : (
        !error && <p className="empty">Loading results…</p>
      )}
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
          {section('test', 'test-metrics')}
          <h3>Against the best constant predictor</h3>
          {section('baseline', 'baseline-metrics')}
        </div>
        <div>
          <h3>Training</h3>
          {section('training', 'training-summary')}
          <h3>Confusion matrix</h3>
          {results?.test_metrics ? <ConfusionMatrix matrix={results.test_metrics.confusion_matrix} /> : <p className="empty">{results?.null_reasons.test_metrics ?? 'Not in the results.'}</p>}
        </div>
      </div>
    </div>
  );
}
