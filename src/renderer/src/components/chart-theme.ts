// Chart colours from the page's CSS variables, so charts follow the light/dark theme.

export interface ChartTheme {
  /** The theme these colours were read in ("dark" | "light"), shown on the chart element for tests. */
  name: string;
  text: string;
  grid: string;
  accent: string;
  good: string;
  bad: string;
  warn: string;
  muted: string;
}

export type ChartColor = Exclude<keyof ChartTheme, 'name'>;

export function chartTheme(): ChartTheme {
  const root = document.documentElement;
  const css = getComputedStyle(root);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    name: root.dataset.theme ?? 'dark',
    text: v('--text', '#e3e7ec'),
    grid: v('--grid', v('--border', '#2a313b')),
    accent: v('--accent', '#4da3ff'),
    good: v('--good', '#3fb950'),
    bad: v('--bad', '#f85149'),
    warn: v('--warn', '#d29922'),
    muted: v('--muted', '#8b95a3'),
  };
}

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_FONT = '600 11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Axis styling shared by every chart: tick text in the muted colour, labels in the text colour. */
export function axis(t: ChartTheme, extra: Record<string, unknown> = {}) {
  return { stroke: t.muted, font: FONT, labelFont: LABEL_FONT, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, ...extra };
}
