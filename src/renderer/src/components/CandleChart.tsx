import { useEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { aggregateCandles, readoutText, visibleRange, type CandleColumns } from '../lib/candles';
import { barIndexAt, hasSessionGaps, indexToTime, ordinalTickLabel, ordinalTicks, timeToIndex } from '../lib/collapse-gaps';
import { useApp } from '../stores/app';
import { axis, chartTheme } from './chart-theme';
import { attachWheelZoom, CHART_KEYS_HELP, chartKeys, setXWindow } from './chart-zoom';
import { UPlotChart } from './UPlotChart';

export interface TradeMarker {
  /** Unix seconds. */
  time: number;
  price: number;
  kind: 'entry' | 'exit';
  side: 'BUY' | 'SELL' | string;
  /** Tooltip text (entry/exit price, PnL, holding time). */
  label?: string;
  /** The trade it belongs to (highlighted when selected). */
  tradeId?: string;
}

export interface CandleChartProps {
  candles: CandleColumns;
  markers?: TradeMarker[];
  height: number;
  /** Window to show (unix seconds); changing it zooms the chart. */
  zoom?: { min: number; max: number } | null;
  testId?: string;
  onFirstDraw?(): void;
  /** A time span to shade (the selected trade, entry → exit, unix seconds). */
  highlight?: { from: number; to: number } | null;
  /** Draw a volume pane under the candles (when the bars have volume). */
  volume?: boolean;
  /** Indicator lines, one value per bar (aligned to candles.time); read out at the crosshair, drawn when on the price scale. */
  overlays?: { label: string; values: (number | null)[] }[];
}

const OVERLAY_COLORS = ['accent', 'warn', 'good', 'bad', 'muted'] as const;

/** Minimum on-screen width of one candle in CSS pixels: below it, bars merge. */
const MIN_CANDLE_PX = 3;

/**
 * Candlesticks drawn by a uPlot draw hook: only bars inside the x window are visited, and when they
 * outnumber the pixel columns they are merged per column, so 100k+ bars draw as fast as ~1000.
 * The low/high series exist only so uPlot ranges the y axis over the visible bars.
 */
export function CandleChart({ candles, markers, height, zoom, testId, onFirstDraw, highlight = null, volume = true, overlays }: CandleChartProps) {
  const overlaysRef = useRef(overlays);
  overlaysRef.current = overlays;
  const readout = useRef<HTMLDivElement>(null);
  const highlightRef = useRef(highlight);
  highlightRef.current = highlight;
  const theme = useApp((s) => s.theme);
  const plot = useRef<uPlot | null>(null);
  const markersRef = useRef(markers);
  markersRef.current = markers;
  const firstDraw = useRef(onFirstDraw);
  const readoutWriter = useRef<(u: uPlot) => void>(() => {});

  const gappy = useMemo(() => hasSessionGaps(candles.time), [candles]);
  const [collapseChoice, setCollapseChoice] = useState<boolean | null>(null);
  // On by default for bars with session gaps; the user's choice sticks while the chart lives.
  const collapsed = gappy && (collapseChoice ?? true);
  const collapsedRef = useRef(collapsed);
  collapsedRef.current = collapsed;

  const t = useMemo(() => chartTheme(), [theme]);
  const options = useMemo(() => {
    // x position of bar i, and of a time, on the x scale (the bar index when collapsed).
    const xOf = collapsed ? (i: number) => i : (i: number) => candles.time[i];
    const xAt = collapsed ? (sec: number) => timeToIndex(candles.time, sec) : (sec: number) => sec;
    const drawCandles = (u: uPlot) => {
      const c = candles;
      if (c.time.length === 0 || u.scales.x.min === undefined) return;
      const [i0, i1] = collapsed
        ? [Math.max(0, Math.ceil(u.scales.x.min)), Math.min(c.time.length - 1, Math.floor(u.scales.x.max!))]
        : visibleRange(c.time, u.scales.x.min, u.scales.x.max!);
      const ctx = u.ctx;
      const { left, top, width, height: h } = u.bbox;
      const columns = width / devicePixelRatio / MIN_CANDLE_PX;
      const list = aggregateCandles(c, i0, i1, columns);
      const perBarPx = width / Math.max(1, i1 - i0 + 1);
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, h);
      ctx.clip();
      const hl = highlightRef.current;
      if (hl) {
        const xa = u.valToPos(xAt(hl.from), 'x', true);
        const xb = u.valToPos(xAt(hl.to), 'x', true);
        ctx.fillStyle = `${t.accent}2e`;
        ctx.fillRect(Math.min(xa, xb) - 2, top, Math.max(4, Math.abs(xb - xa) + 4), h);
      }
      // Volume: bars in the lowest fifth of the plot, scaled to the visible maximum.
      if (volume && c.volume && list.length) {
        let vmax = 0;
        for (let i = i0; i <= i1; i++) vmax = Math.max(vmax, c.volume[i]);
        if (vmax > 0) {
          const paneH = h * 0.18;
          ctx.fillStyle = `${t.muted}55`;
          for (const k of list) {
            let vol = 0;
            for (let i = k.i0; i <= k.i1; i++) vol += c.volume[i];
            vol /= k.i1 - k.i0 + 1;
            const x0 = u.valToPos(xOf(k.i0), 'x', true);
            const x1 = u.valToPos(xOf(k.i1), 'x', true);
            const bw = Math.max(1, Math.min(40 * devicePixelRatio, (k.i1 - k.i0 + 1) * perBarPx * 0.7));
            const vh = (vol / vmax) * paneH;
            ctx.fillRect(Math.round((x0 + x1) / 2 - bw / 2), top + h - vh, Math.round(bw), vh);
          }
        }
      }
      for (const up of [true, false]) {
        const color = up ? t.good : t.bad;
        const wicks = new Path2D();
        const bodies = new Path2D();
        for (const k of list) {
          if (k.close >= k.open !== up) continue;
          const x0 = u.valToPos(xOf(k.i0), 'x', true);
          const x1 = u.valToPos(xOf(k.i1), 'x', true);
          const cx = Math.round((x0 + x1) / 2);
          const bw = Math.max(1, Math.min(40 * devicePixelRatio, (k.i1 - k.i0 + 1) * perBarPx * 0.7));
          const yh = Math.round(u.valToPos(k.high, 'y', true));
          const yl = Math.round(u.valToPos(k.low, 'y', true));
          const yo = u.valToPos(k.open, 'y', true);
          const yc = u.valToPos(k.close, 'y', true);
          wicks.moveTo(cx + 0.5, yh);
          wicks.lineTo(cx + 0.5, yl);
          bodies.rect(Math.round(cx - bw / 2), Math.min(yo, yc), Math.round(bw), Math.max(1, Math.abs(yc - yo)));
        }
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.lineWidth = 1;
        ctx.stroke(wicks);
        ctx.fill(bodies);
      }
      // Overlays on the price scale (an oscillator such as RSI is off this scale: readout only).
      (overlaysRef.current ?? []).forEach((o, k) => {
        const [ylo, yhi] = [u.scales.y.min ?? -Infinity, u.scales.y.max ?? Infinity];
        ctx.strokeStyle = t[OVERLAY_COLORS[k % OVERLAY_COLORS.length]];
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath();
        let pen = false;
        for (let i = i0; i <= i1; i++) {
          const v = o.values[i];
          if (v === null || v === undefined || v < ylo || v > yhi) {
            pen = false;
            continue;
          }
          const x = u.valToPos(xOf(i), 'x', true);
          const y = u.valToPos(v, 'y', true);
          if (pen) ctx.lineTo(x, y);
          else ctx.moveTo(x, y);
          pen = true;
        }
        ctx.stroke();
      });
      drawMarkers(u, markersRef.current ?? [], t, markerX);
      ctx.restore();
      if (firstDraw.current) {
        const cb = firstDraw.current;
        firstDraw.current = undefined;
        cb();
      }
    };
    // The readout of the bar under the cursor; also rewritten when overlays or markers arrive
    // while the cursor rests on the chart (an overlay fetched after the hover would otherwise not show).
    const writeReadout = (u: uPlot) => {
      const el = readout.current;
      if (!el) return;
      const i = u.cursor.idx;
      const near = nearestMarker(u, markersRef.current ?? [], u.cursor.left ?? -1, u.cursor.top ?? -1, markerX);
      const ov = i == null ? '' : (overlaysRef.current ?? []).map((o) => `  ${o.label} ${o.values[i] == null ? '—' : (o.values[i] as number).toPrecision(5)}`).join('');
      el.textContent = (readoutText(candles, i, near) + ov) || 'Move over the chart for time, OHLC and volume';
      el.dataset.marker = near ? near.kind : '';
    };
    readoutWriter.current = writeReadout;
    // Markers are placed by time; collapsed, on the index of the bar they fall in.
    // (A marker before the first bar has no bar: -Infinity keeps it off the chart, as on a time axis.)
    const markerX = collapsed ? (m: TradeMarker) => (m.time < candles.time[0] ? -Infinity : barIndexAt(candles.time, m.time)) : (m: TradeMarker) => m.time;
    const xScale = collapsed ? { time: false } : { time: true };
    // Ordinal axis: ticks on whole bars, labelled with the bars' real times.
    const xAxis = collapsed
      ? axis(t, {
          splits: (u: uPlot) => ordinalTicks(candles.time.length, u.scales.x.min ?? 0, u.scales.x.max ?? 0, Math.max(2, Math.floor(u.bbox.width / devicePixelRatio / 110))),
          values: (u: uPlot, splits: number[]) => {
            const span = indexToTime(candles.time, u.scales.x.max ?? 0) - indexToTime(candles.time, u.scales.x.min ?? 0);
            return splits.map((i) => ordinalTickLabel(candles.time, i, span));
          },
        })
      : axis(t);
    return {
      scales: { x: xScale },
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      // The y range leaves room at the bottom for the volume pane.
      ...(volume && candles.volume ? { scales: { x: xScale, y: { range: (_u: uPlot, lo: number, hi: number) => [lo - (hi - lo) * 0.25, hi + (hi - lo) * 0.03] as uPlot.Range.MinMax } } } : {}),
      axes: [xAxis, axis(t, { size: 70 })],
      series: [{}, { label: 'low', stroke: 'transparent', paths: () => null, points: { show: false } }, { label: 'high', stroke: 'transparent', paths: () => null, points: { show: false } }],
      hooks: {
        draw: [drawCandles],
        setCursor: [writeReadout],
        // The visible window in unix seconds (also when collapsed), readable from the page (tests, diagnostics).
        setScale: [
          (u: uPlot, key: string) => {
            if (key !== 'x' || !u.root.parentElement) return;
            const toSec = (x: number) => (collapsed ? indexToTime(candles.time, x) : x);
            u.root.parentElement.dataset.xMin = String(Math.round(toSec(u.scales.x.min ?? 0)));
            u.root.parentElement.dataset.xMax = String(Math.round(toSec(u.scales.x.max ?? 0)));
          },
        ],
      },
    } as Omit<uPlot.Options, 'width' | 'height'>;
  }, [candles, t, volume, collapsed]);

  const data = useMemo(() => {
    const x = collapsed ? Float64Array.from({ length: candles.time.length }, (_, i) => i) : candles.time;
    return [x, candles.low, candles.high] as unknown as uPlot.AlignedData;
  }, [candles, collapsed]);

  /** A window in unix seconds on the x scale (the bar index when collapsed). */
  const applyZoom = (u: uPlot, z: { min: number; max: number }) =>
    collapsedRef.current ? setXWindow(u, timeToIndex(candles.time, z.min), timeToIndex(candles.time, z.max)) : setXWindow(u, z.min, z.max);

  useEffect(() => {
    const u = plot.current;
    if (u && zoom) applyZoom(u, zoom);
  }, [zoom]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.redraw(false, false);
    readoutWriter.current(u);
  }, [markers, highlight, overlays]);

  return (
    <div className="candle-chart" data-collapsed={collapsed ? 'true' : 'false'}>
      {gappy && (
        <label className="small muted chart-collapse">
          <input type="checkbox" data-testid="collapse-gaps" checked={collapsed} onChange={(e) => setCollapseChoice(e.target.checked)} /> Collapse non-trading time
        </label>
      )}
      <div className="chart-readout mono small" ref={readout} data-testid={testId ? `${testId}-readout` : undefined} aria-live="off">
        Move over the chart for time, OHLC and volume
      </div>
      <UPlotChart
      options={options}
      data={data}
      height={height}
      testId={testId}
      ariaLabel={`Price candlesticks. ${CHART_KEYS_HELP}; the line above the chart reads the bar under the crosshair.`}
      themeName={t.name}
      keepScales
      onCreate={(u) => {
        plot.current = u;
        attachWheelZoom(u);
        if (zoom) applyZoom(u, zoom);
      }}
      onKeyDown={chartKeys}
      />
      {markers && markers.length > 0 && (
        <div className="chart-legend small muted" data-testid={testId ? `${testId}-legend` : undefined}>
          <span className="mk entry">▲</span> entry (filled, points the trade's way) <span className="mk exit">△</span> exit (hollow) — hover a marker for its trade; the selected trade is shaded
        </div>
      )}
    </div>
  );
}

/** The marker within 10 px of the cursor (CSS px), or null. */
function nearestMarker(u: uPlot, markers: TradeMarker[], left: number, top: number, markerX: (m: TradeMarker) => number): TradeMarker | null {
  if (left < 0 || !markers.length) return null;
  let best: TradeMarker | null = null;
  let bestD = 10;
  for (const m of markers) {
    const dx = u.valToPos(markerX(m), 'x') - left;
    if (Math.abs(dx) > bestD) continue;
    const dy = u.valToPos(m.price, 'y') - top;
    const d = Math.hypot(dx, dy / 4);
    if (d < bestD) {
      bestD = d;
      best = m;
    }
  }
  return best;
}

function drawMarkers(u: uPlot, markers: TradeMarker[], t: ReturnType<typeof chartTheme>, markerX: (m: TradeMarker) => number): void {
  const min = u.scales.x.min!;
  const max = u.scales.x.max!;
  const ctx = u.ctx;
  const s = 6 * devicePixelRatio;
  for (const m of markers) {
    const mx = markerX(m);
    if (mx < min || mx > max) continue;
    const x = u.valToPos(mx, 'x', true);
    const y = u.valToPos(m.price, 'y', true);
    const long = m.side !== 'SELL';
    // Entries point in the trade's direction; exits are hollow, pointing back.
    const upward = m.kind === 'entry' ? long : !long;
    ctx.beginPath();
    if (upward) {
      ctx.moveTo(x, y + s * 0.4);
      ctx.lineTo(x - s, y + s * 2);
      ctx.lineTo(x + s, y + s * 2);
    } else {
      ctx.moveTo(x, y - s * 0.4);
      ctx.lineTo(x - s, y - s * 2);
      ctx.lineTo(x + s, y - s * 2);
    }
    ctx.closePath();
    if (m.kind === 'entry') {
      ctx.fillStyle = t.accent;
      ctx.fill();
    } else {
      ctx.strokeStyle = t.warn;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.stroke();
    }
  }
}
