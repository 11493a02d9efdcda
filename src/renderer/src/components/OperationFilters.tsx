import { OPERATION_STATUSES, OPERATION_TYPES } from '../../../shared/operations';
import { useOperations, type OperationFilters as Filters } from '../stores/operations';

export function OperationFilters() {
  const filters = useOperations((s) => s.filters);
  const setFilters = useOperations((s) => s.setFilters);
  const loadList = useOperations((s) => s.loadList);
  return (
    <div className="toolbar">
      <label>
        Type{' '}
        <select value={filters.type} onChange={(e) => setFilters({ type: e.target.value as Filters['type'] })} data-testid="filter-type">
          <option value="">all</option>
          {OPERATION_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select value={filters.status} onChange={(e) => setFilters({ status: e.target.value as Filters['status'] })} data-testid="filter-status">
          <option value="">all</option>
          {OPERATION_STATUSES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <button className="btn small" onClick={() => void loadList()} data-testid="ops-refresh" title="Read the list again (new operations started elsewhere)">
        Refresh
      </button>
    </div>
  );
}
