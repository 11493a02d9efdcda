/** Marks operations a non-human client started (metadata.started_by, e.g. "mcp" for an agent). */
export function StartedByTag({ metadata, testId = 'op-started-by' }: { metadata?: Record<string, unknown> | null; testId?: string }) {
  const by = metadata?.started_by;
  if (by !== 'mcp') return null;
  return (
    <span className="tag" data-testid={testId} title="Started by an agent through the MCP server (ktrdr mcp)">
      agent · mcp
    </span>
  );
}
