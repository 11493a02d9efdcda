import { Fragment, useId, useState } from 'react';
import type { MetricRow, ResultSection } from '../../../shared/results/present';

/**
 * A metric's label that shows its definition: on hover (title), and by click or keyboard (the label
 * is a button; Enter or Space opens the definition under the row, Escape closes it).
 */
function MetricTerm({ row, open, onToggle, definitionId }: { row: MetricRow; open: boolean; onToggle(): void; definitionId: string }) {
  return (
    <button
      type="button"
      className="metric-term"
      aria-expanded={open}
      aria-controls={definitionId}
      onClick={onToggle}
      onKeyDown={(e) => e.key === 'Escape' && open && (e.preventDefault(), onToggle())}
      data-testid={`metric-term-${row.key}`}
    >
      {row.label}
    </button>
  );
}

/** One section of the shared presenter as a table; "—" with its reason for an undefined value. */
export function SectionTable({ section, testId, heading = true }: { section: ResultSection; testId?: string; heading?: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const base = useId();
  const cols = section.columns;
  const span = 1 + Math.max(1, cols.length);
  return (
    <div className="result-section" data-section={section.id}>
      {heading && <h3>{section.title}</h3>}
      <table className={cols.length ? 'grid kv bench' : 'grid kv'} data-testid={testId ?? `bt-section-${section.id}`}>
        {cols.length > 0 && (
          <thead>
            <tr>
              <th />
              {cols.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
        )}
        <tbody>
          {section.rows.map((r) => {
            const defId = `${base}-${r.key}`;
            const isOpen = open === r.key;
            return (
              <Fragment key={r.key}>
                <tr data-key={r.key}>
                  <th scope="row" title={`${r.definition} (${r.key})`}>
                    <MetricTerm row={r} open={isOpen} onToggle={() => setOpen(isOpen ? null : r.key)} definitionId={defId} />
                  </th>
                  {r.cells.map((c, i) => (
                    <td key={i} className="num" data-path={c.path}>
                      {c.text}
                      {c.reason && <span className="null-reason">{c.reason}</span>}
                    </td>
                  ))}
                </tr>
                {isOpen && (
                  <tr className="metric-definition" id={defId} data-testid={`metric-definition-${r.key}`}>
                    <td colSpan={span}>{r.definition}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {section.note && <p className="muted small">{section.note}</p>}
    </div>
  );
}

/** Several sections, each under its title. */
export function ResultSections({ sections, testId }: { sections: readonly ResultSection[]; testId?: string }) {
  return (
    <div className="result-sections" data-testid={testId}>
      {sections.map((s) => (
        <SectionTable key={s.id} section={s} />
      ))}
    </div>
  );
}
