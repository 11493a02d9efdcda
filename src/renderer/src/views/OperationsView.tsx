import { useEffect, useState } from 'react';
import type { OperationSummary } from '../../../shared/operations';
import { api } from '../api/client';

export function OperationsView() {
  const [ops, setOps] = useState<OperationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<{ data: OperationSummary[] }>('/operations?limit=50')
      .then((r) => setOps(r.data))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section className="view">
      <h1>Operations</h1>
      {error && <p className="error">{error}</p>}
      {ops && ops.length === 0 && <p className="empty">No operations yet — start a training, a backtest or a data load.</p>}
      {ops && ops.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>ID</th>
              <th>Type</th>
              <th>Status</th>
              <th>Progress</th>
            </tr>
          </thead>
          <tbody>
            {ops.map((o) => (
              <tr key={o.operation_id}>
                <td className="mono">{o.operation_id}</td>
                <td>{o.operation_type}</td>
                <td className={`status ${o.status}`}>{o.status}</td>
                <td>{o.progress_percentage.toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
