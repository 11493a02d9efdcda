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

/** One table per section, from the shared presenter: labels, units and precision of the metric catalogue; "— (reason)" for null. */
export function sectionsText(sections: readonly ResultSection[]): string {
  return sections
    .map((s) => {
      const head = ['METRIC', ...(s.columns.length ? s.columns.map((c) => c.toUpperCase()) : ['VALUE'])];
      const body = table(
        head,
        s.rows.map((r) => [r.label, ...r.cells.map(cellText)]),
      );
      return `${s.title}\n${body}${s.note ? `\n${s.note}` : ''}`;
    })
    .join('\n\n');
}
