import { OperationLive } from '../components/OperationLive';
import { TrainingCharts } from '../components/TrainingCharts';
import { TrainingForm } from '../components/TrainingForm';
import { TrainingResults } from '../components/TrainingResults';
import { EmptyState } from '../components/EmptyState';
import { RecentOperations } from '../components/RecentOperations';
import { useMetricsFeed, useOperation } from '../hooks/useOperation';
import { useResults } from '../hooks/useResults';
import { useSession } from '../stores/session';

export function TrainingView() {
  const opId = useSession((s) => s.trainingOpId);
  const setSession = useSession((s) => s.set);
  const op = useOperation(opId);
  const { records, error } = useMetricsFeed(opId);
  const { results } = useResults(opId, op?.status);
  const tm = results?.training_metrics as { best_epoch?: unknown } | undefined;
  const bestEpoch = typeof tm?.best_epoch === 'number' ? tm.best_epoch : null;
  return (
    <section className="view" data-testid="view-training">
      <div className="view-head">
        <h1>Training</h1>
        <RecentOperations type="training" value={opId} onChange={(id) => setSession({ trainingOpId: id })} />
      </div>
      <TrainingForm onStarted={(id) => setSession({ trainingOpId: id })} />
      {opId ? (
        <div className="panel">
          <OperationLive id={opId} />
          {error && <p className="error">Metrics: {error}</p>}
          <TrainingCharts records={records} bestEpoch={bestEpoch} />
        </div>
      ) : (
        <EmptyState testId="training-empty">No training selected — start one above, or pick a recent one.</EmptyState>
      )}
      {op && <TrainingResults op={op} />}
    </section>
  );
}
