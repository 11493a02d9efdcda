import { flattenMetrics, fmtMetric } from '../lib/format';

/** A flat object as a two-column table; nested objects become dotted rows ("benchmark.total_return"). */
export function KeyValueTable({ values, testId }: { values: Record<string, unknown> | null | undefined; testId?: string }) {
  const entries = Object.entries(flattenMetrics(values ?? {})).filter(([, v]) => !Array.isArray(v) || v.length < 20);
  if (entries.length === 0) return <p className="empty">—</p>;
  return (
    <table className="grid kv" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k} data-key={k}>
            <th scope="row">{k}</th>
            <td className="num">{fmtMetric(k, v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
