// A metric's name that gives its definition, by mouse and keyboard alike (issue 27: definitions were
// hover-only). The one mechanism of every metric table (ResultSections, KeyValueTable): the label is
// a button — click, Enter or Space opens the definition in a row under it, Escape or a second press
// closes it — and the row header keeps the definition as its tooltip on hover. The definition is real
// text in the table (read by screen readers, selectable, never clipped by a popup).
import { useId, useState, type ReactNode } from 'react';
import './results.css';

export function MetricTerm({ termKey, label, open, onToggle, definitionId }: { termKey: string; label: ReactNode; open: boolean; onToggle(): void; definitionId: string }) {
  return (
    <button
      type="button"
      className="metric-term"
      aria-expanded={open}
      aria-controls={definitionId}
      onClick={onToggle}
      onKeyDown={(e) => e.key === 'Escape' && open && (e.preventDefault(), onToggle())}
      data-testid={`metric-term-${termKey}`}
    >
      {label}
    </button>
  );
}

/** The definition row under a metric's row, spanning the table. */
export function MetricDefinitionRow({ termKey, id, span, children }: { termKey: string; id: string; span: number; children: ReactNode }) {
  return (
    <tr className="metric-definition" id={id} data-testid={`metric-definition-${termKey}`}>
      <td colSpan={span}>{children}</td>
    </tr>
  );
}

/** Which row of a table has its definition open (one at a time), and the element id of each definition. */
export function useOpenDefinition(): { isOpen(key: string): boolean; toggle(key: string): void; idFor(key: string): string } {
  const [open, setOpen] = useState<string | null>(null);
  const base = useId();
  return {
    isOpen: (key) => open === key,
    toggle: (key) => setOpen((o) => (o === key ? null : key)),
    idFor: (key) => `${base}-${key}`,
  };
}
