import { useEffect, useState } from 'react';
import type { OperationSummary, OperationType } from '../../../shared/operations';
import { api } from '../api/client';
import { runLabel } from '../../../shared/run-facts';
import { fmtTime } from '../lib/format';
import { useOperations } from '../stores/operations';

/** Pick a past operation of one type (read once when the view opens; survives restarts). */
export function RecentOperations({ type, value, onChange }: { type: OperationType; value: string | null; onChange(id: string | null): void }) {
  const [items, setItems] = useState<OperationSummary[]>([]);
  // Statuses the poller knows are newer than the list read when the view opened.
  const known = useOperations((s) => s.ops);
  useEffect(() => {
    api
      .get<{ data?: OperationSummary[] }>(`/operations?operation_type=${type}&limit=20`)
      .then((r) => setItems(r.data ?? []))
      .catch(() => setItems([]));
  }, [type, value]);
  const ids = new Set(items.map((i) => i.operation_id));
  return (
    <label className="muted recent">
      Recent{' '}
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} data-testid={`recent-${type}`}>
        <option value="">—</option>
        {value && !ids.has(value) && <option value={value}>{value}</option>}
        {items.map((o) => (
          <option key={o.operation_id} value={o.operation_id}>
            {[fmtTime(o.created_at), runLabel(o, { settings: true }) || o.symbol, known[o.operation_id]?.status ?? o.status].filter(Boolean).join(' · ')}
          </option>
        ))}
      </select>
    </label>
  );
}
