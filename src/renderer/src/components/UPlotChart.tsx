import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { keyboardLegend } from './chart-zoom';

/** Height of uPlot's one-line legend under the plot (CSS keeps it to one 12 px line). */
export const LEGEND_H = 24;

export interface UPlotChartProps {
  /** Built by the caller (memoised): a new object recreates the chart. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** Fixed plot height: the chart's space (plus its legend line) is reserved before any data arrives. */
  height: number;
  testId?: string;
  /** What the chart shows, for screen readers. */
  ariaLabel?: string;
  /** The theme its colours were read in (data-chart-theme, for tests and diagnostics). */
  themeName?: string;
  /** Keep the user's zoom when new data arrives (live charts reset to show everything). */
  keepScales?: boolean;
  onCreate?(u: uPlot): void;
  onKeyDown?(e: React.KeyboardEvent, u: uPlot): void;
}

const utcDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/** A uPlot instance bound to a div: created once per `options`, fed with setData, resized with its box. */
export function UPlotChart({ options, data, height, testId, ariaLabel, themeName, keepScales, onCreate, onKeyDown }: UPlotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;
  const legend = options.legend?.show !== false;

  useEffect(() => {
    const el = box.current!;
    // Time axes in UTC, like every table and the API (bars are UTC; local time would shift them).
    const u = new uPlot({ tzDate: utcDate, ...options, width: Math.max(100, el.clientWidth), height }, latest.current, el);
    plot.current = u;
    if (options.legend?.show !== false) keyboardLegend(u);
    onCreate?.(u);
    const ro = new ResizeObserver(() => {
      const w = Math.max(100, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    const u = plot.current;
    if (u && u.data !== data) u.setData(data, !keepScales);
  }, [data, keepScales]);

  return (
    <div
      ref={box}
      className={legend ? 'chart with-legend' : 'chart'}
      style={{ minHeight: height + (legend ? LEGEND_H : 0) }}
      data-testid={testId}
      data-chart-theme={themeName}
      role={onKeyDown ? 'group' : 'figure'}
      aria-label={ariaLabel}
      tabIndex={onKeyDown ? 0 : undefined}
      onKeyDown={onKeyDown ? (e) => plot.current && onKeyDown(e, plot.current) : undefined}
    />
  );
}
