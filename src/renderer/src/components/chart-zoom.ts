// Zoom and pan on a uPlot time axis: wheel zooms around the cursor, shift+wheel (or a horizontal
// swipe) pans, arrow keys pan, +/- zoom, 0 resets. Built-in drag-select zooms too, double-click resets.
// The keyboard does what the mouse does (issue 27): Shift+←/→ (or , and .) move the crosshair one
// point, PageUp/PageDown ten, Home/End to the window's ends, and its readout follows; [ marks the
// crosshair and ] zooms to the range from the mark to the crosshair (the keyboard's drag-zoom).
import type uPlot from 'uplot';

function dataExtent(u: uPlot): [number, number] {
  const xs = u.data[0];
  return [xs[0] ?? 0, xs[xs.length - 1] ?? 1];
}

/** Sets x to [min, max] kept inside the data (a window never smaller than ~2 bars). */
export function setXWindow(u: uPlot, min: number, max: number): void {
  const [lo, hi] = dataExtent(u);
  const xs = u.data[0];
  const minSpan = xs.length > 2 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) * 2 : 1;
  let span = Math.max(minSpan, Math.min(max - min, hi - lo));
  if (!(span > 0)) span = 1;
  let a = Math.max(lo, min);
  let b = a + span;
  if (b > hi) {
    b = hi;
    a = Math.max(lo, hi - span);
  }
  u.setScale('x', { min: a, max: b });
}

export function zoomX(u: uPlot, factor: number, anchorFrac = 0.5): void {
  const min = u.scales.x.min!;
  const max = u.scales.x.max!;
  const anchor = min + (max - min) * anchorFrac;
  setXWindow(u, anchor - (anchor - min) * factor, anchor + (max - anchor) * factor);
}

export function panX(u: uPlot, frac: number): void {
  const min = u.scales.x.min!;
  const max = u.scales.x.max!;
  const d = (max - min) * frac;
  setXWindow(u, min + d, max + d);
}

export function resetX(u: uPlot): void {
  const [lo, hi] = dataExtent(u);
  u.setScale('x', { min: lo, max: hi });
}

export function attachWheelZoom(u: uPlot): void {
  u.over.addEventListener(
    'wheel',
    (e: WheelEvent) => {
      e.preventDefault();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        panX(u, (e.shiftKey ? e.deltaY : e.deltaX) > 0 ? 0.1 : -0.1);
        return;
      }
      const rect = u.over.getBoundingClientRect();
      const frac = rect.width > 0 ? (e.clientX - rect.left) / rect.width : 0.5;
      zoomX(u, e.deltaY < 0 ? 0.8 : 1.25, frac);
    },
    { passive: false },
  );
}

/** Index of the first data point at or after x (binary search). */
function indexAt(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The data indexes inside the visible window. */
function visibleIndexes(u: uPlot): [number, number] {
  const xs = u.data[0];
  const first = Math.min(xs.length - 1, indexAt(xs, u.scales.x.min ?? xs[0]));
  const last = Math.max(first, indexAt(xs, (u.scales.x.max ?? xs[xs.length - 1]) + 1e-9) - 1);
  return [first, Math.min(xs.length - 1, last)];
}

/** Puts the crosshair on data point `i` (clamped to the window); the chart's readout/legend follows. */
export function setCursorIndex(u: uPlot, i: number): void {
  const xs = u.data[0];
  if (!xs.length) return;
  const [first, last] = visibleIndexes(u);
  const k = Math.max(first, Math.min(last, i));
  const left = u.valToPos(xs[k], 'x');
  u.setCursor({ left, top: u.bbox.height / devicePixelRatio / 2 });
}

/** Moves the crosshair by `delta` points (from the window's last point when it is off the chart). */
export function moveCursor(u: uPlot, delta: number): void {
  const [first, last] = visibleIndexes(u);
  const at = u.cursor.idx ?? null;
  const from = at === null || at < first || at > last ? (delta >= 0 ? first - 1 : last + 1) : at;
  setCursorIndex(u, from + delta);
}

/** The x value [ marked on each chart (keyboard range zoom). */
const marks = new WeakMap<uPlot, number>();

export function chartKeys(e: React.KeyboardEvent, u: uPlot): void {
  const xs = u.data[0];
  const cursorX = () => (u.cursor.idx != null && u.cursor.idx >= 0 ? xs[u.cursor.idx] : null);
  const actions: Record<string, () => void> = {
    ArrowLeft: () => (e.shiftKey ? moveCursor(u, -1) : panX(u, -0.1)),
    ArrowRight: () => (e.shiftKey ? moveCursor(u, 1) : panX(u, 0.1)),
    ',': () => moveCursor(u, -1),
    '.': () => moveCursor(u, 1),
    PageUp: () => moveCursor(u, -10),
    PageDown: () => moveCursor(u, 10),
    Home: () => setCursorIndex(u, 0),
    End: () => setCursorIndex(u, xs.length - 1),
    '+': () => zoomX(u, 0.8),
    '=': () => zoomX(u, 0.8),
    '-': () => zoomX(u, 1.25),
    '0': () => resetX(u),
    '[': () => {
      const x = cursorX();
      if (x !== null) marks.set(u, x);
    },
    ']': () => {
      const x = cursorX();
      const m = marks.get(u);
      if (x === null || m === undefined || x === m) return;
      setXWindow(u, Math.min(m, x), Math.max(m, x));
      marks.delete(u);
    },
  };
  const act = actions[e.key];
  if (act) {
    e.preventDefault();
    act();
  }
}

/** What the keyboard does on a chart, for its label and help line. */
export const CHART_KEYS_HELP = 'Arrow keys pan; plus and minus zoom; 0 resets; Shift+arrows, comma and period move the crosshair; [ then ] zooms to a range';

/**
 * uPlot's legend toggles a series on click only: its rows become switches the keyboard can reach
 * (Tab) and flip (Enter or Space), saying whether the series is shown.
 */
export function keyboardLegend(u: uPlot): void {
  const rows = Array.from(u.root.querySelectorAll<HTMLElement>('.u-legend .u-series'));
  rows.forEach((row, i) => {
    if (i === 0) return; // the x value, not a series
    const sync = () => row.setAttribute('aria-checked', String(u.series[i]?.show !== false));
    row.tabIndex = 0;
    row.setAttribute('role', 'switch');
    row.setAttribute('aria-label', `Show ${u.series[i]?.label ?? `series ${i}`}`);
    sync();
    row.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      e.stopPropagation();
      u.setSeries(i, { show: u.series[i].show === false });
      sync();
    });
    row.addEventListener('click', () => queueMicrotask(sync));
  });
}
