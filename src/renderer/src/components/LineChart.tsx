import { useMemo } from 'react';
import type uPlot from 'uplot';
import { fmtTime } from '../lib/format';
import { useApp } from '../stores/app';
import { axis, chartTheme, type ChartColor } from './chart-theme';
import { CHART_KEYS_HELP, chartKeys } from './chart-zoom';
import { UPlotChart } from './UPlotChart';

export interface LineSeries {
  /** Legend text, with its unit where it has one ("equity", "val accuracy"). */
  label: string;
  values: ArrayLike<number | null>;
  color: ChartColor;
  dash?: number[];
  fill?: boolean;
}

export interface LineChartProps {
  x: ArrayLike<number>;
  series: LineSeries[];
  height: number;
  /** x holds unix seconds (time axis) rather than counts such as epochs. */
  time?: boolean;
  xLabel?: string;
  /** The y axis' title with its unit ("loss (cross-entropy)", "accuracy (%)"). */
  yLabel?: string;
  /** Tick text of the y axis; the legend shows values with `valueFormat` (default: this one). */
  yFormat?(v: number): string;
  valueFormat?(v: number): string;
  /** The legend under the plot: the series' names, line styles and values at the cursor (the last point otherwise). */
  legend?: boolean;
  testId?: string;
  onCreate?(u: uPlot): void;
  /** A vertical marker at this x (the best epoch), labelled. */
  markX?: { x: number; label: string } | null;
}

/** Draws the vertical marker line and its label on the plot. */
function drawMark(mark: { x: number; label: string }, color: string) {
  return (u: uPlot) => {
    const left = u.valToPos(mark.x, 'x', true);
    if (!Number.isFinite(left)) return;
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    const w = ctx.measureText(mark.label).width;
    ctx.fillText(mark.label, Math.min(left + 4 * devicePixelRatio, u.bbox.left + u.bbox.width - w), top + 12 * devicePixelRatio);
    ctx.restore();
  };
}

// Tick steps for counters (epochs, iterations, records): whole numbers only, never "1.5".
const INTEGER_INCRS = [1, 2, 5].flatMap((m) => Array.from({ length: 10 }, (_v, e) => m * 10 ** e)).sort((a, b) => a - b);

const plain = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** The legend shows the latest values while the cursor is off the plot (uPlot would show "--"), also as data grows. */
function showLatest(u: uPlot): void {
  const last = (u.data?.[0]?.length ?? 0) - 1;
  const cursorOff = u.cursor.left == null || u.cursor.left < 0;
  if (cursorOff && last >= 0 && u.legend.idx !== last) u.setLegend({ idx: last }, false);
}

/** Lines over a shared x (epochs, bars, timestamps); uPlot thins 1M points per pixel on its own. */
export function LineChart({ x, series, height, time = false, xLabel, yLabel, yFormat, valueFormat, legend = true, testId, onCreate, markX = null }: LineChartProps) {
  const theme = useApp((s) => s.theme);
  const shape = series.map((s) => `${s.label}:${s.color}:${s.dash?.join(',') ?? ''}:${s.fill ? 1 : 0}`).join('|');
  const t = useMemo(() => chartTheme(), [theme]);
  const options = useMemo(() => {
    const yValues = yFormat ? (_u: uPlot, vals: number[]) => vals.map((v) => yFormat(v)) : undefined;
    const fmtValue = valueFormat ?? yFormat ?? plain;
    return {
      scales: { x: { time } },
      legend: {
        show: legend,
        live: true,
        // Dashed series get a dashed legend line, so "val" (dashed) and "train" (solid) read apart.
        markers: { width: 2, dash: (u: uPlot, i: number) => (u.series[i].dash ? 'dashed' : 'solid') },
      },
      cursor: { drag: { x: true, y: false } },
      axes: [axis(t, { ...(xLabel ? { label: xLabel, labelSize: 18 } : {}), ...(time ? {} : { incrs: INTEGER_INCRS }) }), axis(t, { size: 64, ...(yLabel ? { label: yLabel, labelSize: 18 } : {}), ...(yValues ? { values: yValues } : {}) })],
      series: [
        { label: xLabel ?? (time ? 'time' : 'x'), value: (_u: uPlot, v: number | null) => (v == null ? '—' : time ? fmtTime(v) : plain(v)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: t[s.color],
          width: 1.5,
          dash: s.dash,
          fill: s.fill ? `${t[s.color]}22` : undefined,
          // uPlot's default shows points only where they are sparse (one epoch, one dummy iteration).
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : fmtValue(v)),
        })),
      ],
      hooks: { ...(legend ? { ready: [showLatest], setData: [showLatest], setLegend: [showLatest] } : {}), ...(markX ? { draw: [drawMark(markX, t.text)] } : {}) },
    } satisfies Omit<uPlot.Options, 'width' | 'height'>;
    // `t`: colours are read from CSS for the current theme; `shape`: the series' identity, not their data.
  }, [t, shape, time, xLabel, yLabel, yFormat, valueFormat, legend, markX?.x, markX?.label]);
  const data = useMemo(() => [x, ...series.map((s) => s.values)] as unknown as uPlot.AlignedData, [x, series]);
  const ariaLabel = `${series.map((s) => s.label).join(', ')}${xLabel ? ` by ${xLabel}` : time ? ' over time' : ''}`;
  return <UPlotChart options={options} data={data} height={height} testId={testId} ariaLabel={`${markX ? `${ariaLabel}; ${markX.label}` : ariaLabel}. ${CHART_KEYS_HELP}.`} themeName={t.name} onCreate={onCreate} onKeyDown={chartKeys} />;
}
