import { cellText, type ResultSection } from '../shared/results/present';

/** Plain fixed-width table for terminal output. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * One table per section, from the shared presenter: labels, units and precision of the metric
 * catalogue; "— (reason)" for null. A section of items (folds, trials) has a row per item and a
 * column per metric.
 */
export function sectionsText(sections: readonly ResultSection[]): string {
  return sections
    .map((s) => {
      const body =
        s.layout === 'items'
          ? table(
              [(s.itemHeading ?? 'Item').toUpperCase(), ...s.rows.map((r) => r.label)],
              s.columns.map((c, i) => [c, ...s.rows.map((r) => cellText(r.cells[i]))]),
            )
          : table(
              ['METRIC', ...(s.columns.length ? s.columns.map((c) => c.toUpperCase()) : ['VALUE'])],
              s.rows.map((r) => [r.label, ...r.cells.map(cellText)]),
            );
      return `${s.title}\n${body}${s.note ? `\n${s.note}` : ''}`;
    })
    .join('\n\n');
}
