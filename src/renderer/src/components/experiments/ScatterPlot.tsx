/** Axis labels when the caller gives no format: 3 significant digits. */
const plain = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(3));

/** A small SVG scatter: parameter value (or category) against the objective, one dot per trial. */
export function ScatterPlot({
  points,
  xLabel,
  yLabel,
  testId,
  xFormat = plain,
  yFormat = plain,
}: {
  points: { x: number | string; y: number; label: string }[];
  xLabel: string;
  yLabel: string;
  testId?: string;
  /** Axis end labels: the parameter's and the objective's own formatting. */
  xFormat?(v: number): string;
  yFormat?(v: number): string;
}) {
  const W = 360;
  const H = 200;
  const P = 36;
  const categorical = points.some((p) => typeof p.x !== 'number');
  const cats = categorical ? [...new Set(points.map((p) => String(p.x)))] : [];
  const xs = points.map((p) => (categorical ? cats.indexOf(String(p.x)) : (p.x as number)));
  const ys = points.map((p) => p.y);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  const sx = (x: number) => P + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * P);
  const sy = (y: number) => H - P - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * P);
  return (
    <figure className="scatter" data-testid={testId}>
      <svg width={W} height={H} role="img" aria-label={`${yLabel} by ${xLabel}`}>
        <line x1={P} y1={H - P} x2={W - P} y2={H - P} stroke="currentColor" opacity={0.4} />
        <line x1={P} y1={P} x2={P} y2={H - P} stroke="currentColor" opacity={0.4} />
        <text x={P} y={H - 8} fontSize={10} fill="currentColor">
          {categorical ? '' : xFormat(x0)}
        </text>
        <text x={W - P} y={H - 8} fontSize={10} fill="currentColor" textAnchor="end">
          {categorical ? '' : xFormat(x1)}
        </text>
        <text x={4} y={P} fontSize={10} fill="currentColor">
          {yFormat(y1)}
        </text>
        <text x={4} y={H - P} fontSize={10} fill="currentColor">
          {yFormat(y0)}
        </text>
        {categorical &&
          cats.map((c, i) => (
            <text key={c} x={sx(i)} y={H - 20} fontSize={9} fill="currentColor" textAnchor="middle">
              {c.length > 14 ? `${c.slice(0, 13)}…` : c}
            </text>
          ))}
        {points.map((p, i) => (
          <circle key={i} cx={sx(xs[i])} cy={sy(p.y)} r={4} fill="var(--accent, #4c8dff)" opacity={0.8}>
            <title>{p.label}</title>
          </circle>
        ))}
      </svg>
      <figcaption>
        {yLabel} by {xLabel}
      </figcaption>
    </figure>
  );
}
