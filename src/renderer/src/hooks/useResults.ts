import { useEffect, useState } from 'react';
import { isTerminal, type OperationStatus } from '../../../shared/operations';
import { operationResultsResponseSchema, parseOperationResult, resultsPath, type TypedResult } from '../../../shared/results';
import { api } from '../api/client';

interface ResultsState {
  /** The result as served in the contract form (what KeyValueTable shows for types without a schema). */
  results: Record<string, unknown> | null;
  /** Parsed by the result contract for types that have one (training, backtesting). */
  typed: TypedResult | null;
  error: string | null;
}

const EMPTY: ResultsState = { results: null, typed: null, error: null };

/**
 * `GET /operations/{id}/results?form=contract`, read once when the operation is terminal (it answers
 * 400 before). A result that does not match its schema is an error on screen, never a blank table.
 */
export function useResults(id: string | null, status: OperationStatus | undefined): ResultsState {
  const [state, setState] = useState<ResultsState & { id: string | null }>({ id: null, ...EMPTY });
  const terminal = status ? isTerminal(status) : false;
  useEffect(() => {
    if (!id || !terminal) return;
    let live = true;
    api
      .get<unknown>(resultsPath(id))
      .then((body) => {
        const r = operationResultsResponseSchema.parse(body);
        const results = r.results && typeof r.results === 'object' && !Array.isArray(r.results) ? (r.results as Record<string, unknown>) : null;
        const typed = r.status === 'completed' ? parseOperationResult(r.operation_type, r.results) : null;
        if (live) setState({ id, results, typed, error: null });
      })
      .catch((e: Error) => live && setState({ id, ...EMPTY, error: e.message }));
    return () => {
      live = false;
    };
  }, [id, terminal]);
  return state.id === id ? state : EMPTY;
}
