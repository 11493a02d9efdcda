// One click from an operation to its result: trainings open in Training, backtests in Backtests,
// walk-forwards and sweeps in Experiments.
import { PARENT_TYPES, type OperationSummary } from '../../../shared/operations';
import { useApp } from '../stores/app';
import { useSession } from '../stores/session';

export function hasResultView(op: Pick<OperationSummary, 'operation_type'>): boolean {
  return op.operation_type === 'training' || op.operation_type === 'backtesting' || PARENT_TYPES.has(op.operation_type);
}

/** Runs two of which can be compared side by side in the Operations view (trainings, backtests). */
export function isComparable(op: Pick<OperationSummary, 'operation_type'>): boolean {
  return op.operation_type === 'training' || op.operation_type === 'backtesting';
}

/** The Experiments view reads the experiment to show from here when it opens. */
export const EXPERIMENT_KEY = 'ktrdr.experiment';

export function openResult(op: Pick<OperationSummary, 'operation_type' | 'operation_id'>): void {
  if (op.operation_type === 'training') {
    useSession.getState().set({ trainingOpId: op.operation_id });
    useApp.getState().setView('training');
  } else if (op.operation_type === 'backtesting') {
    useSession.getState().set({ backtestOpId: op.operation_id });
    useApp.getState().setView('backtests');
  } else if (PARENT_TYPES.has(op.operation_type)) {
    sessionStorage.setItem(EXPERIMENT_KEY, op.operation_id);
    useApp.getState().setView('experiments');
  }
}
