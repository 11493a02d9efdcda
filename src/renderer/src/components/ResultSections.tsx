import { Fragment } from 'react';
import type { ResultSection } from '../../../shared/results/present';
import { MetricDefinitionRow, MetricTerm, useOpenDefinition } from './MetricTerm';

/** One section of the shared presenter as a table; "—" with its reason for an undefined value. */
export function SectionTable({ section, testId, heading = true }: { section: ResultSection; testId?: string; heading?: boolean }) {
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
            const defId = defs.idFor(r.key);
            const isOpen = defs.isOpen(r.key);
            return (
              <Fragment key={r.key}>
                <tr data-key={r.key}>
                  <th scope="row" title={`${r.definition} (${r.key})`}>
                    <MetricTerm termKey={r.key} label={r.label} open={isOpen} onToggle={() => defs.toggle(r.key)} definitionId={defId} />
                  </th>
                  {r.cells.map((c, i) => (
                    <td key={i} className="num" data-path={c.path}>
                      {c.text}
                      {c.reason && <span className="null-reason">{c.reason}</span>}
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
