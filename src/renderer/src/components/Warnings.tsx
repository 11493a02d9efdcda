// Every warning of a run, from the operation (operation.warnings) and from its results
// (results.warnings), each once.
export function Warnings({ operation, results, testId = 'warnings' }: { operation?: readonly string[] | null; results?: unknown; testId?: string }) {
  const fromResults = Array.isArray(results) ? results.filter((w): w is string => typeof w === 'string') : [];
  const all = [...new Set([...(operation ?? []), ...fromResults])];
  if (all.length === 0) return null;
  return (
    <div className="warnings-box" role="note" data-testid={testId}>
      <strong>Warnings ({all.length})</strong>
      <ul className="warnings">
        {all.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </div>
  );
}
