import { useEffect, useState } from 'react';
import { isTerminal, type OperationStatus } from '../../../shared/operations';
import { api } from '../api/client';

/** `GET /operations/{id}/results`, read once when the operation is terminal (it answers 400 before). */
export function useResults(id: string | null, status: OperationStatus | undefined): { results: Record<string, unknown> | null; error: string | null } {
  const [state, setState] = useState<{ id: string | null; results: Record<string, unknown> | null; error: string | null }>({ id: null, results: null, error: null });
  const terminal = status ? isTerminal(status) : false;
  useEffect(() => {
    if (!id || !terminal) return;
    let live = true;
    api
      .get<{ results?: Record<string, unknown> }>(`/operations/${encodeURIComponent(id)}/results`)
      .then((r) => live && setState({ id, results: r.results ?? null, error: null }))
      .catch((e: Error) => live && setState({ id, results: null, error: e.message }));
    return () => {
      live = false;
    };
  }, [id, terminal]);
  return state.id === id ? state : { results: null, error: null };
}
