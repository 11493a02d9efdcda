import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface UPlotChartProps {
  /** Built by the caller (memoised): a new object recreates the chart. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** Fixed height: the chart's space is reserved before any data arrives. */
  height: number;
  testId?: string;
  /** Keep the user's zoom when new data arrives (live charts reset to show everything). */
  keepScales?: boolean;
  onCreate?(u: uPlot): void;
  onKeyDown?(e: React.KeyboardEvent, u: uPlot): void;
}

/** A uPlot instance bound to a div: created once per `options`, fed with setData, resized with its box. */
export function UPlotChart({ options, data, height, testId, keepScales, onCreate, onKeyDown }: UPlotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = box.current!;
    const u = new uPlot({ ...options, width: Math.max(100, el.clientWidth), height }, latest.current, el);
    plot.current = u;
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
      className="chart"
      style={{ height }}
      data-testid={testId}
      tabIndex={onKeyDown ? 0 : undefined}
      onKeyDown={onKeyDown ? (e) => plot.current && onKeyDown(e, plot.current) : undefined}
    />
  );
}
