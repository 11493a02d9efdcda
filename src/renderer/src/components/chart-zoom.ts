// Zoom and pan on a uPlot time axis: wheel zooms around the cursor, shift+wheel (or a horizontal
// swipe) pans, arrow keys pan, +/- zoom, 0 resets. Built-in drag-select zooms too, double-click resets.
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

export function chartKeys(e: React.KeyboardEvent, u: uPlot): void {
  const actions: Record<string, () => void> = {
    ArrowLeft: () => panX(u, -0.1),
    ArrowRight: () => panX(u, 0.1),
    '+': () => zoomX(u, 0.8),
    '=': () => zoomX(u, 0.8),
    '-': () => zoomX(u, 1.25),
    '0': () => resetX(u),
  };
  const act = actions[e.key];
  if (act) {
    e.preventDefault();
    act();
  }
}
