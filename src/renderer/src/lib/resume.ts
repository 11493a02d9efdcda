// Resuming a training from its checkpoint (POST /operations/{id}/resume), and what the Resume button
// needs to know first: whether the operation has a checkpoint (GET /checkpoints/{id}).
import { isTerminal, type OperationStatus, type OperationType } from '../../../shared/operations';
import { api, ApiError } from '../api/client';
import { useMetrics } from '../stores/metrics';
import { useOperations } from '../stores/operations';

export interface CheckpointInfo {
  checkpoint_type: string;
  created_at: string;
  state: { epoch?: number; total_epochs?: number; batch?: number };
}

/** Only failed or cancelled trainings of their own (an experiment reruns its trainings itself) can have one. */
export function mayHaveCheckpoint(op: { operation_type?: OperationType; status: OperationStatus; parent_id?: string | null }): boolean {
  return op.operation_type === 'training' && isTerminal(op.status) && op.status !== 'completed' && !op.parent_id;
}

/** The checkpoint a resume would start from; null when there is none; 'stopping' while a cancelled worker still writes it. */
export async function checkpointOf(id: string): Promise<CheckpointInfo | null | 'stopping'> {
  try {
    return (await api.get<{ data: CheckpointInfo }>(`/checkpoints/${encodeURIComponent(id)}`)).data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return /still stopping/.test(e.message) ? 'stopping' : null;
    throw e;
  }
}

/** "epoch 12 of 100" or "epoch 12 of 100, batch 40". */
export function describeCheckpoint(c: CheckpointInfo): string {
  const s = c.state;
  return `epoch ${s.epoch ?? '?'}${s.total_epochs ? ` of ${s.total_epochs}` : ''}${s.batch ? `, batch ${s.batch}` : ''}`;
}

/** Resumes; the operation runs again under its id and its metrics continue from the checkpoint. */
export async function resumeOperation(id: string): Promise<void> {
  const r = await api.post<{ data: { status: OperationStatus } }>(`/operations/${encodeURIComponent(id)}/resume`);
  // The store keeps terminal states (a late answer never revives an operation): a resume does, on purpose.
  useOperations.setState((s) => (s.ops[id] ? { ops: { ...s.ops, [id]: { ...s.ops[id], status: r.data.status, completed_at: null } } } : {}));
  // The metrics feed was final (terminal operation) and the server dropped the epochs after the
  // checkpoint: read the history again from the start.
  useMetrics.setState((s) => {
    const feeds = { ...s.feeds };
    delete feeds[id];
    return { feeds };
  });
  if (useMetrics.getState().subscribers[id]) void useMetrics.getState().pull(id);
  await useOperations.getState().refresh(id);
}
