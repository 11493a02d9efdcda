// One click from an operation to its result: trainings open in Training, backtests in Backtests.
import type { OperationSummary } from '../../../shared/operations';
import { useApp } from '../stores/app';
import { useSession } from '../stores/session';

export function hasResultView(op: Pick<OperationSummary, 'operation_type'>): boolean {
  return op.operation_type === 'training' || op.operation_type === 'backtesting';
}

export function openResult(op: Pick<OperationSummary, 'operation_type' | 'operation_id'>): void {
  if (op.operation_type === 'training') {
    useSession.getState().set({ trainingOpId: op.operation_id });
    useApp.getState().setView('training');
  } else if (op.operation_type === 'backtesting') {
    useSession.getState().set({ backtestOpId: op.operation_id });
    useApp.getState().setView('backtests');
  }
}
