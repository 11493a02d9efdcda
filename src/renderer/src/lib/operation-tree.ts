// Experiments' children under their parent in the Operations list.
import type { OperationSummary } from '../../../shared/operations';

/** Top-level runs in list order, each with its children (oldest first); a child whose parent is not listed stands alone. */
export function groupByParent<T extends Pick<OperationSummary, 'operation_id' | 'parent_id'>>(rows: T[]): { op: T; children: T[] }[] {
  const listed = new Set(rows.map((r) => r.operation_id));
  const kids = new Map<string, T[]>();
  for (const r of rows) if (r.parent_id && listed.has(r.parent_id)) kids.set(r.parent_id, [...(kids.get(r.parent_id) ?? []), r]);
  return rows.filter((r) => !(r.parent_id && listed.has(r.parent_id))).map((op) => ({ op, children: (kids.get(op.operation_id) ?? []).reverse() }));
}
