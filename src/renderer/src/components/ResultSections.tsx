import { Fragment } from 'react';
import { rowId, type MetricRow, type ResultSection } from '../../../shared/results/present';
import { MetricDefinitionRow, MetricTerm, useOpenDefinition } from './MetricTerm';

/** A presenter cell: its text and, when null, the reason beside it. */
function CellBody({ cell }: { cell: MetricRow['cells'][number] }) {
  return (
    <>
      {cell.text}
      {cell.reason && <span className="null-reason">{cell.reason}</span>}
    </>
  );
}

/**
 * A section of items (a walk-forward's folds, a sweep's trials, a portfolio's legs): one row per
 * item, one column per metric; a metric's label opens its definition under the table.
 */
function ItemsTable({ section, testId, heading }: { section: ResultSection; testId?: string; heading: boolean }) {
  const defs = useOpenDefinition();
  const openRow = section.rows.find((r) => defs.isOpen(rowId(r))) ?? null;
  return (
    // Many metrics (a sweep's trials) scroll sideways on purpose; the item's name stays in view.
    <div className="result-section" data-section={section.id} data-scroll-x>
      {heading && <h3>{section.title}</h3>}
      <table className="grid items" data-testid={testId ?? `bt-section-${section.id}`}>
        <thead>
          <tr>
            <th>{section.itemHeading ?? ''}</th>
            {section.rows.map((r) => (
              <th key={rowId(r)} data-key={r.key} title={`${r.definition} (${r.key})`}>
                <MetricTerm termKey={r.key} label={r.label} open={defs.isOpen(rowId(r))} onToggle={() => defs.toggle(rowId(r))} definitionId={defs.idFor(rowId(r))} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {section.columns.map((item, i) => (
            <tr key={item} data-column={item}>
              <th scope="row">{item}</th>
              {section.rows.map((r) => (
                <td key={rowId(r)} className="num" data-path={r.cells[i].path}>
                  <CellBody cell={r.cells[i]} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {openRow && (
        <p className="metric-definition" id={defs.idFor(rowId(openRow))} data-testid={`metric-definition-${openRow.key}`}>
          {openRow.label}: {openRow.definition}
        </p>
      )}
      {section.note && <p className="muted small">{section.note}</p>}
    </div>
  );
}

/** One section of the shared presenter as a table; "—" with its reason for an undefined value. */
export function SectionTable({ section, testId, heading = true }: { section: ResultSection; testId?: string; heading?: boolean }) {
  if (section.layout === 'items') return <ItemsTable section={section} testId={testId} heading={heading} />;
  return <MetricsTable section={section} testId={testId} heading={heading} />;
}

function MetricsTable({ section, testId, heading }: { section: ResultSection; testId?: string; heading: boolean }) {
  const defs = useOpenDefinition();
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
            const defId = defs.idFor(id);
            const isOpen = defs.isOpen(id);
            return (
              <Fragment key={id}>
                <tr data-key={r.key}>
                  <th scope="row" title={`${r.definition} (${r.key})`}>
                    <MetricTerm termKey={r.key} label={r.label} open={isOpen} onToggle={() => defs.toggle(id)} definitionId={defId} />
                  </th>
                  {r.cells.map((c, i) => (
                    <td key={i} className="num" data-path={c.path}>
                      <CellBody cell={c} />
                    </td>
                  ))}
                </tr>
                {isOpen && (
                  <MetricDefinitionRow termKey={r.key} id={defId} span={span}>
                    {r.definition}
                  </MetricDefinitionRow>
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

/** Several sections, each under its title; `sectionTestId` names each table (default `bt-section-<id>`). */
export function ResultSections({ sections, testId, sectionTestId }: { sections: readonly ResultSection[]; testId?: string; sectionTestId?: (id: string) => string }) {
  return (
    <div className="result-sections" data-testid={testId}>
      {sections.map((s) => (
        <SectionTable key={s.id} section={s} testId={sectionTestId?.(s.id)} />
      ))}
    </div>
  );
}
