// Scalar membership functions for plotting fuzzy sets (the renderer may not import core). They follow
// core/fuzzy/membership.ts exactly; test/unit/renderer/membership.test.ts checks them against it.

export function membershipAt(type: string, p: readonly number[], x: number): number {
  const EPS = 2.220446049250313e-16;
  switch (type) {
    case 'triangular': {
      const [a, b, c] = p;
      if (x === b) return 1;
      if (x <= a || x >= c) return 0;
      return x < b ? (x - a) / Math.max(b - a, EPS) : (c - x) / Math.max(c - b, EPS);
    }
    case 'trapezoidal': {
      const [a, b, c, d] = p;
      if (x <= a || x >= d) return 0;
      if (x >= b && x <= c) return 1;
      return x < b ? (x - a) / Math.max(b - a, EPS) : (d - x) / Math.max(d - c, EPS);
    }
    case 'gaussian':
      return Math.exp(-0.5 * ((x - p[0]) / p[1]) ** 2);
    case 'left_shoulder':
      return x <= p[0] ? 1 : x >= p[1] ? 0 : (p[1] - x) / Math.max(p[1] - p[0], EPS);
    case 'right_shoulder':
      return x >= p[1] ? 1 : x <= p[0] ? 0 : (x - p[0]) / Math.max(p[1] - p[0], EPS);
    default:
      return NaN;
  }
}

/** The x range to plot: the indicator's observed min–max, widened to include every set's parameters. */
export function plotRange(values: readonly (number | null)[], params: readonly number[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number | null) => {
    if (v === null || !Number.isFinite(v)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  };
  values.forEach(take);
  params.forEach((p) => p.forEach(take));
  if (!(hi > lo)) return [lo - 1, lo + 1];
  const pad = (hi - lo) * 0.02;
  return [lo - pad, hi + pad];
}
