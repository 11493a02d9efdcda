import { useMemo } from 'react';
import type uPlot from 'uplot';
import { useApp } from '../stores/app';
import { axis, chartTheme, type ChartTheme } from './chart-theme';
import { UPlotChart } from './UPlotChart';

export interface LineSeries {
  label: string;
  values: ArrayLike<number | null>;
  color: keyof ChartTheme;
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
  yFormat?(v: number): string;
  testId?: string;
  onCreate?(u: uPlot): void;
}

/** Lines over a shared x (epochs, bars, timestamps); uPlot thins 1M points per pixel on its own. */
export function LineChart({ x, series, height, time = false, xLabel, yFormat, testId, onCreate }: LineChartProps) {
  const theme = useApp((s) => s.theme);
  const shape = series.map((s) => `${s.label}:${s.color}:${s.dash?.join(',') ?? ''}:${s.fill ? 1 : 0}`).join('|');
  const options = useMemo(() => {
    const t = chartTheme();
    const yValues = yFormat ? (_u: uPlot, vals: number[]) => vals.map((v) => yFormat(v)) : undefined;
    return {
      scales: { x: { time } },
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      axes: [axis(t, xLabel ? { label: xLabel, labelSize: 18 } : {}), axis(t, { size: 64, ...(yValues ? { values: yValues } : {}) })],
      series: [
        { label: xLabel ?? (time ? 'time' : 'x') },
        ...series.map((s) => ({
          label: s.label,
          stroke: t[s.color],
          width: 1.5,
          dash: s.dash,
          fill: s.fill ? `${t[s.color]}22` : undefined,
          points: { show: false },
          spanGaps: true,
        })),
      ],
    } satisfies Omit<uPlot.Options, 'width' | 'height'>;
    // `theme`: colours are read from CSS when options are built; `shape`: the series' identity, not their data.
  }, [theme, shape, time, xLabel, yFormat]);
  const data = useMemo(() => [x, ...series.map((s) => s.values)] as unknown as uPlot.AlignedData, [x, series]);
  return <UPlotChart options={options} data={data} height={height} testId={testId} onCreate={onCreate} />;
}
