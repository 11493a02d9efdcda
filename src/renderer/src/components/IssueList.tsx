import type { ValidationIssue } from '../lib/shapes';

/** Validation issues; one with a position moves the editor's caret there when clicked. */
export function IssueList({ issues, onGoTo }: { issues: ValidationIssue[]; onGoTo(line: number, column: number): void }) {
  return (
    <ul className="issues" data-testid="issues">
      {issues.map((i, k) => (
        <li key={k} className={i.severity}>
          <button
            disabled={i.line === null}
            onClick={() => i.line !== null && onGoTo(i.line, i.column ?? 1)}
            data-testid={`issue-${k}`}
            title={i.line === null ? undefined : 'Go to this position'}
          >
            {i.line !== null ? <span className="mono">{`${i.line}:${i.column ?? 1}`} </span> : null}
            <strong>{i.severity}</strong> {i.path ? <span className="muted">[{i.path}] </span> : null}
            {i.message}
          </button>
        </li>
      ))}
    </ul>
  );
}
