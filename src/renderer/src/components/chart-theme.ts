// Chart colours from the page's CSS variables, so charts follow the light/dark theme.

export interface ChartTheme {
  text: string;
  grid: string;
  accent: string;
  good: string;
  bad: string;
  warn: string;
  muted: string;
}

export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#e3e7ec'),
    grid: v('--border', '#2a313b'),
    accent: v('--accent', '#4da3ff'),
    good: v('--good', '#3fb950'),
    bad: v('--bad', '#f85149'),
    warn: v('--warn', '#d29922'),
    muted: v('--muted', '#8b95a3'),
  };
}

/** Axis styling shared by every chart. */
export function axis(t: ChartTheme, extra: Record<string, unknown> = {}) {
  return { stroke: t.muted, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, ...extra };
}
