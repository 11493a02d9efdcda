import { Fragment, useId, useState } from 'react';
import { rowId, type MetricCell, type MetricRow, type ResultSection } from '../../../shared/results/present';

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

function ValueCell({ c }: { c: MetricCell }) {
  return (
    <td className="num" data-path={c.path}>
      {c.text}
      {c.reason && <span className="null-reason">{c.reason}</span>}
    </td>
  );
}

/**
 * A section whose columns are things of one kind (a portfolio's legs): one row per column, one
 * column per metric, the metric's label a button that opens its definition under the table.
 */
function ByColumnTable({ section, testId, heading }: { section: ResultSection; testId?: string; heading: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const base = useId();
  const openRow = section.rows.find((r) => rowId(r) === open) ?? null;
  return (
    <div className="result-section by-column" data-section={section.id}>
      {heading && <h3>{section.title}</h3>}
      <div className="table-scroll">
        <table className="grid by-column" data-testid={testId ?? `bt-section-${section.id}`}>
          <thead>
            <tr>
              <th />
              {section.rows.map((r) => (
                <th key={rowId(r)} data-key={r.key} title={`${r.definition} (${r.key})`}>
                  <MetricTerm row={r} open={open === rowId(r)} onToggle={() => setOpen(open === rowId(r) ? null : rowId(r))} definitionId={`${base}-def`} />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {section.columns.map((col, i) => (
              <tr key={col} data-column={col}>
                <th scope="row">{col}</th>
                {section.rows.map((r) => (
                  <ValueCell key={rowId(r)} c={r.cells[i]} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {openRow && (
        <p className="metric-definition" id={`${base}-def`} data-testid={`metric-definition-${openRow.key}`}>
          <strong>{openRow.label}</strong>: {openRow.definition}
        </p>
      )}
      {section.note && <p className="muted small">{section.note}</p>}
    </div>
  );
}

/** One section of the shared presenter as a table; "—" with its reason for an undefined value. */
export function SectionTable({ section, testId, heading = true }: { section: ResultSection; testId?: string; heading?: boolean }) {
  if (section.byColumn) return <ByColumnTable section={section} testId={testId} heading={heading} />;
  return <RowsTable section={section} testId={testId} heading={heading} />;
}

function RowsTable({ section, testId, heading }: { section: ResultSection; testId?: string; heading: boolean }) {
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
            const id = rowId(r);
            const defId = `${base}-${id}`;
            const isOpen = open === id;
            return (
              <Fragment key={id}>
                <tr data-key={r.key}>
                  <th scope="row" title={`${r.definition} (${r.key})`}>
                    <MetricTerm row={r} open={isOpen} onToggle={() => setOpen(isOpen ? null : id)} definitionId={defId} />
                  </th>
                  {r.cells.map((c, i) => (
                    <ValueCell key={i} c={c} />
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
